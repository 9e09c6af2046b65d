import iconv from 'iconv-lite';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the re-sent file holds, by kind (the demo prints it; the report's intake section shows it). */
export interface ResentDelivery {
  dir: string;
  file: string;
  /** Lines already sent in the original file (stored once: duplicates). */
  duplicates: number;
  /** A line the sender added when it re-sent the day (stored). */
  added: number;
  /** Lines the collector cannot read (set aside with their reasons). */
  unreadable: number;
}

/**
 * A day's 住民記録 file sent again, as senders do after an incident: two lines
 * already sent, one line added late, and three lines damaged on the way (a
 * date that does not exist, an unknown 処理区分, a line cut short). Imported
 * after the month's logs, it makes the report's "lines read vs events stored"
 * disclosure real: duplicates stored once, damaged lines set aside with their
 * reasons. Written to `outDir/resent/` (the same file name as the original).
 */
export function writeResentDelivery(outDir: string, logsDir: string, month: string): ResentDelivery | null {
  const name = readdirSync(logsDir)
    .filter((f) => f.startsWith(`JUMIN_OPLOG_${month.replace('-', '')}`))
    .sort()
    .find((f) => Number(f.slice(-6, -4)) >= 14);
  if (!name) return null;
  const lines = iconv.decode(readFileSync(join(logsDir, name)), 'cp932').split('\r\n').filter(Boolean);
  const [header, ...rows] = lines;
  // Ordinary daytime views, well inside business hours: nothing a rule would find.
  const views = rows.filter((r) => r.split(',')[9] === '照会' && /^\d{4}\/\d\d\/\d\d 1[0-5]:/.test(r));
  if (views.length < 2) return null;
  const [a, b] = views;
  const late = a.split(',');
  late[0] = late[0].replace(/:(\d\d)$/, (_, s: string) => `:${String((Number(s) + 1) % 60).padStart(2, '0')}`);
  late[12] = `${late[12]}（追記）`;
  const broken = [
    a.replace(/^(\d{4}\/\d\d)\/\d\d \d\d:/, '$1/32 25:'),
    b.split(',').map((v, i) => (i === 9 ? '閲覧' : v)).join(','),
    b.split(',').slice(0, 9).join(','),
  ];
  const dir = join(outDir, 'resent');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), iconv.encode([header, a, b, late.join(','), ...broken].join('\r\n') + '\r\n', 'cp932'));
  return { dir, file: join(dir, name), duplicates: 2, added: 1, unreadable: broken.length };
}
