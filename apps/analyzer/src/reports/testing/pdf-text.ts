import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The text of each page of a PDF, extracted by pdf.js (as a reader's tool would see it). */
export function pdfPages(path: string): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'pdf-text-extract.mjs'), path], { maxBuffer: 256 * 1024 * 1024 });
  return (JSON.parse(out.toString('utf8')) as { pages: string[] }).pages;
}
