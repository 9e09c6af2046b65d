import { ALL_SOURCES, DataSnapshot, NO_SOURCE } from './data-snapshot';

describe('DataSnapshot', () => {
  const snapshot = new DataSnapshot([
    { source: 'jumin', day: '2025-06-02', events: 10, mark: '2025-06-03 01:00:00.000' },
    { source: 'atena', day: '2025-06-02', events: 5, mark: '2025-06-10 09:00:00.000' },
    { source: 'jumin', day: '2025-06-04', events: 7, mark: '2025-06-05 01:00:00.000' },
  ]);

  it('answers for one source, every source, or none, on a day', () => {
    expect(snapshot.at('jumin', '2025-06-02')).toEqual({ events: 10, mark: '2025-06-03 01:00:00.000' });
    expect(snapshot.at(ALL_SOURCES, '2025-06-02')).toEqual({ events: 15, mark: '2025-06-10 09:00:00.000' });
    expect(snapshot.at(NO_SOURCE, '2025-06-02')).toEqual({ events: 0, mark: '' });
    expect(snapshot.at('jumin', '2025-06-03')).toEqual({ events: 0, mark: '' });
  });

  it('sums a range of days (a look-back) and keeps its latest arrival; an empty range holds nothing', () => {
    expect(snapshot.over(ALL_SOURCES, '2025-05-01', '2025-06-04')).toEqual({ events: 22, mark: '2025-06-10 09:00:00.000' });
    expect(snapshot.over('jumin', '2025-06-03', '2025-06-30')).toEqual({ events: 7, mark: '2025-06-05 01:00:00.000' });
    expect(snapshot.over(ALL_SOURCES, '2025-06-02', '2025-06-01')).toEqual({ events: 0, mark: '' });
  });
});
