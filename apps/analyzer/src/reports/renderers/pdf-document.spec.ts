import PDFDocument from 'pdfkit';
import { pdfDocument } from './pdf-document';

const OPTIONS: PDFKit.PDFDocumentOptions = {
  bufferPages: true,
  autoFirstPage: false,
  info: { CreationDate: new Date('2026-12-01T00:00:00Z') },
};

/** Three pages of framed lines, then a line on each page afterwards (as the page numbers are written). */
function draw(doc: PDFKit.PDFDocument): void {
  for (let p = 0; p < 3; p++) {
    doc.addPage();
    for (let i = 0; i < 40; i++)
      doc
        .rect(50, 50 + i * 15, 100, 12)
        .stroke()
        .text(`row ${p}-${i}`, 160, 50 + i * 15);
  }
  for (let p = 0; p < 3; p++) {
    doc.switchToPage(p);
    doc.text(`${p + 1} / 3`, 50, 700);
  }
  doc.end();
}

/** How many chunks the page before the new one holds, at each page added (listening after pdfDocument's own listener). */
function chunksHeld(doc: PDFKit.PDFDocument): number[] {
  const held: number[] = [];
  doc.on('pageAdded', () => {
    const pages = (doc as unknown as { _pageBuffer: Array<{ content: { buffer: unknown[] } }> })._pageBuffer;
    held.push(pages.length > 1 ? pages[pages.length - 2].content.buffer.length : 0);
  });
  return held;
}

async function bytesOf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('pdfDocument with buffered pages', () => {
  it('writes the same file as pdfkit alone, holding each page left as one chunk instead of one per drawing operator', async () => {
    const plain = new PDFDocument(OPTIONS);
    const plainBytes = bytesOf(plain);
    const plainHeld = chunksHeld(plain);
    draw(plain);

    const { doc, bytes } = await pdfDocument(OPTIONS);
    const held = chunksHeld(doc);
    draw(doc);

    expect((await bytes).equals(await plainBytes)).toBe(true);
    expect(plainHeld[1]).toBeGreaterThan(100);
    expect(held).toEqual([0, 1, 1]);
  });
});
