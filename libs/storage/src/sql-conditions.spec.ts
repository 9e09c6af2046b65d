import { SqlConditions } from './sql-conditions';

describe('SqlConditions', () => {
  it('adds a condition and its parameter only for a given value; an empty list filters to nothing, not to everything', () => {
    const none = new SqlConditions({ limit: 10 }).when(undefined, 'day >= {from:Date}', 'from').when(null, 'x = {x:String}', 'x');
    expect([none.where, none.params]).toEqual(['', { limit: 10 }]);
    const some = new SqlConditions().when('2025-04-01', 'day >= {from:Date}', 'from').when([], 'rule IN {rules:Array(String)}', 'rules');
    expect([some.where, some.params]).toEqual([
      'WHERE day >= {from:Date} AND rule IN {rules:Array(String)}',
      { from: '2025-04-01', rules: [] },
    ]);
  });
});
