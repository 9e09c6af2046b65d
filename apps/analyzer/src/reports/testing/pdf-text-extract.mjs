// Extracts what a reader's tool sees in a PDF with pdf.js (unpdf), as JSON on stdout:
// the text of each page, the bookmarks (outline), whether it is tagged, and its XMP metadata.
// Run as a child process: jest's CommonJS sandbox cannot load pdf.js's ES modules.
import { readFileSync } from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';

const pdf = await getDocumentProxy(new Uint8Array(readFileSync(process.argv[2])));
const { totalPages, text } = await extractText(pdf, { mergePages: false });
const walk = (items, level) => (items ?? []).flatMap((i) => [{ title: i.title, level }, ...walk(i.items, level + 1)]);
const outline = walk(await pdf.getOutline(), 0);
const markInfo = await pdf.getMarkInfo();
const meta = await pdf.getMetadata();
const xmp = Object.fromEntries(
  ['pdfaid:part', 'pdfaid:conformance', 'pdfuaid:part', 'dc:title'].map((k) => [k, meta.metadata?.get(k) ?? null]),
);
process.stdout.write(
  JSON.stringify({ totalPages, pages: text, outline, tagged: Boolean(markInfo?.Marked), structTree: Boolean(meta.hasStructTree), xmp }),
);
