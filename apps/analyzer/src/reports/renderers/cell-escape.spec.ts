import { escapeFormulaText } from './cell-escape';

describe('escapeFormulaText', () => {
  it.each(['=HYPERLINK("http://x","y")', '+81-3', '-1+2', '@SUM(A1)', '\t=1'])('neutralises %p', (text) => {
    const out = escapeFormulaText(text);
    expect(out).toBe(`'${text}`);
  });

  it('leaves ordinary text alone', () => {
    expect(escapeFormulaText('市民課 K001003')).toBe('市民課 K001003');
    expect(escapeFormulaText('')).toBe('');
    expect(escapeFormulaText('a=b')).toBe('a=b');
  });
});
