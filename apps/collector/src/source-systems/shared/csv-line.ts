/**
 * Splits one CSV record (RFC 4180: fields may be quoted, `""` is a quote inside
 * a quoted field, quoted fields may hold commas and line breaks). Returns
 * undefined when a quote is not closed or stray text follows a closing quote.
 *
 * Measured choice: csv-parse costs ~10 µs per record when fed line by line;
 * this costs well under 1 µs and the spec is tested against csv-parse
 * (csv-line.spec.ts, property-based).
 */
export function splitCsvLine(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return undefined;
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 44) return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      const value = line.slice(i, end);
      if (value.indexOf('"') >= 0) return undefined;
      fields.push(value);
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}
