// Extracts the text of each page of a PDF with pdf.js (unpdf), as JSON on stdout.
// Run as a child process: jest's CommonJS sandbox cannot load pdf.js's ES modules.
import { readFileSync } from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';

const pdf = await getDocumentProxy(new Uint8Array(readFileSync(process.argv[2])));
const { totalPages, text } = await extractText(pdf, { mergePages: false });
process.stdout.write(JSON.stringify({ totalPages, pages: text }));
