/** The parts of pdfkit's buffered pages that `compactLeftPages` reaches into (pdfkit 0.20: `_pageBuffer`, `PDFReference.buffer`). */
interface BufferedPages {
  _pageBuffer?: Array<{ content?: { buffer?: Uint8Array[] } }>;
}

/**
 * A new PDF document and its bytes, which resolve once it is ended. pdfkit
 * is loaded with the first PDF (~0.15 s): the commands that make none (an
 * import, a look-up) start without it.
 */
export async function pdfDocument(options: PDFKit.PDFDocumentOptions): Promise<{ doc: PDFKit.PDFDocument; bytes: Promise<Buffer> }> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument(options);
  if (options.bufferPages) doc.on('pageAdded', () => compactLeftPages(doc));
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

/**
 * With `bufferPages` (the report's "n / N" page numbers and its table of
 * contents are written after the last page), pdfkit keeps every page's
 * content until the document ends, as one small array per drawing operator:
 * a table row is ~40 of them. A month with tens of thousands of rows held
 * millions and ran the process out of memory (docs/report.md, "A month with
 * tens of thousands of findings"). When a page is added, the page left is
 * joined into one chunk; what is written on it later (page numbers, the
 * contents) is appended as before, and the file's bytes are the same.
 */
export function compactLeftPages(doc: PDFKit.PDFDocument): void {
  const pages = (doc as unknown as BufferedPages)._pageBuffer;
  const left = pages?.[pages.length - 2]?.content;
  if (left?.buffer && left.buffer.length > 1) left.buffer = [Buffer.concat(left.buffer)];
}
