import { sourceLabel, sourceTitle } from './actions';

describe('how a system is named to staff', () => {
  it('by its Japanese name, and on the command line with the ID they type as a flag', () => {
    expect(sourceTitle('jumin')).toBe('住民記録システム');
    expect(sourceLabel('jumin')).toBe('住民記録システム (jumin)');
    expect(sourceLabel('windows')).toBe('業務端末（Windows イベントログ） (windows)');
  });

  it('a system a site configured under its own ID keeps that ID, not "fax (fax)"', () => {
    expect(sourceTitle('fax')).toBe('fax');
    expect(sourceLabel('fax')).toBe('fax');
  });
});
