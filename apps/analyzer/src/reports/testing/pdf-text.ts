import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface PdfReading {
  totalPages: number;
  pages: string[];
  outline: Array<{ title: string; level: number }>;
  tagged: boolean;
  xmp: Record<string, unknown>;
}

/** What pdf.js sees in a PDF (as a reader's tool would): text per page, bookmarks, tagging, XMP. */
export function readPdf(path: string): PdfReading {
  const out = execFileSync(process.execPath, [join(__dirname, 'pdf-text-extract.mjs'), path], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8')) as PdfReading;
}

/** The text of each page of a PDF, extracted by pdf.js. */
export function pdfPages(path: string): string[] {
  return readPdf(path).pages;
}
