import { RowBytes } from './row-bytes';

describe('RowBytes', () => {
  it('keeps every byte of rows past its first buffer, multi-byte text included, and starts again after take()', () => {
    const rows = new RowBytes();
    const texts: string[] = [];
    // ~4 MB of rows: ASCII, Japanese (3 bytes a character in UTF-8) and a character outside the BMP (4 bytes)
    for (let i = 0; texts.join('').length < 3_000_000; i++) {
      const row = `${i}\t${'職員'.repeat(i % 300)}\t${'x'.repeat(i % 700)}\t𠮷${i % 7 === 0 ? '' : 'end'}\n`;
      texts.push(row);
      rows.addRow(row);
    }
    expect(rows.count).toBe(texts.length);
    expect(rows.take().equals(Buffer.from(texts.join(''), 'utf8'))).toBe(true);
    expect(rows.count).toBe(0);
    rows.addRow('after\n');
    expect(rows.take().toString('utf8')).toBe('after\n');
  });

  it('builds a row from escaped bytes, ASCII and text', () => {
    const rows = new RowBytes();
    rows.ascii('12');
    rows.byte(0x09);
    rows.escapedBytes(Buffer.from('a\\b\tc\rd\ne\0f', 'latin1'));
    rows.byte(0x09);
    rows.text('住民');
    rows.endRow();
    expect(rows.count).toBe(1);
    expect(rows.take().toString('utf8')).toBe('12\ta\\\\b\\tc\\rd\\ne\\0f\t住民\n');
  });
});
