import { stringify } from 'csv-stringify/sync';
import { actionTitle, sourceTitle } from '@kansa/domain';
import { escapeFormulaText } from '../reports/renderers/cell-escape';
import { pdfDocument } from '../reports/renderers/pdf-document';
import { PDF_FONTS } from '../reports/renderers/pdf.renderer';
import type { EventLookupResult } from './event-lookup.service';

/** What an export says about itself: what was searched, why, by whom, when. */
export interface ExportHeading {
  title: string;
  /** e.g. 対象番号 0000012345 / 010000000053217 */
  target: string;
  period: string;
  purpose: string;
  reference: string;
  by: string;
  at: string;
}

const COLUMNS: Array<[header: string, width: number, value: (e: EventLookupResult['events'][number]) => string]> = [
  ['日時', 112, (e) => e.ts.slice(0, 19)],
  ['システム', 78, (e) => sourceTitle(e.source)],
  ['職員ID', 58, (e) => e.userId],
  ['氏名', 62, (e) => e.userName],
  ['所属', 48, (e) => e.departmentCode],
  ['端末', 70, (e) => e.terminalId],
  ['操作', 52, (e) => actionTitle(e.action)],
  ['画面・業務', 56, (e) => e.businessCode || e.screenId],
  ['対象番号', 90, (e) => e.subjectId],
  ['個人番号表示', 42, (e) => (e.myNumberShown ? '有' : '')],
  ['件数', 32, (e) => String(e.recordCount)],
  ['事由', 60, (e) => e.reason],
  ['結果', 34, (e) => (e.outcome === 'success' ? '正常' : '失敗')],
];

/** The look-up as CSV: UTF-8 with BOM (Excel), CRLF, the heading first, formula text escaped. */
export function eventsCsv(result: EventLookupResult, h: ExportHeading): Buffer {
  const head = [
    [h.title],
    ['対象', h.target],
    ['期間', h.period],
    ['目的', h.purpose],
    ['受付番号', h.reference],
    ['出力者', h.by],
    ['出力日時', h.at],
    ['件数', `${result.total}${result.total > result.events.length ? ` (うち ${result.events.length} 件を出力)` : ''}`],
    [],
  ];
  const rows = result.events.map((e) => COLUMNS.map(([, , value]) => escapeFormulaText(value(e))));
  const text = stringify([...head.map((r) => r.map(escapeFormulaText)), COLUMNS.map(([c]) => c), ...rows], {
    record_delimiter: '\r\n',
    quoted_string: false,
  });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** The look-up as an A4 landscape PDF (Noto Sans JP embedded): the heading, then the table with page numbers. */
export async function eventsPdf(result: EventLookupResult, h: ExportHeading): Promise<Buffer> {
  const { doc, bytes } = await pdfDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: 40, bottom: 40, left: 30, right: 30 },
    bufferPages: true,
    info: { Title: h.title, Creator: 'kansa', CreationDate: new Date() },
  });
  doc.registerFont('jp', PDF_FONTS.regular);
  doc.registerFont('jp-bold', PDF_FONTS.bold);
  doc.font('jp-bold').fontSize(14).text(h.title);
  doc.moveDown(0.4).font('jp').fontSize(9);
  for (const [k, v] of [
    ['対象', h.target],
    ['期間', h.period],
    ['目的', h.purpose],
    ['受付番号', h.reference || '—'],
    ['出力者・日時', `${h.by}　${h.at}`],
    ['件数', `${result.total} 件${result.total > result.events.length ? `（うち ${result.events.length} 件を記載）` : ''}`],
  ]) {
    doc.text(`${k}：${v}`);
  }
  doc.moveDown(0.6);
  const left = doc.page.margins.left;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const row = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'jp-bold' : 'jp').fontSize(7);
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: COLUMNS[i][1] - 4 }))) + 4;
    if (doc.y + height > bottom()) {
      doc.addPage();
      if (!bold)
        row(
          COLUMNS.map(([c]) => c),
          true,
        );
    }
    const y = doc.y;
    let x = left;
    if (bold)
      doc
        .rect(
          left,
          y,
          COLUMNS.reduce((a, c) => a + c[1], 0),
          height,
        )
        .fill('#e4e9f0')
        .fillColor('#1a1a1a');
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: COLUMNS[i][1] - 4, lineBreak: true });
      x += COLUMNS[i][1];
    });
    doc
      .moveTo(left, y + height)
      .lineTo(x, y + height)
      .lineWidth(0.3)
      .strokeColor('#9a9a9a')
      .stroke();
    doc.x = left;
    doc.y = y + height;
  };
  row(
    COLUMNS.map(([c]) => c),
    true,
  );
  for (const e of result.events)
    row(
      COLUMNS.map(([, , value]) => value(e)),
      false,
    );
  if (result.events.length === 0)
    doc
      .font('jp')
      .fontSize(9)
      .text('該当するアクセスはありません。', left, doc.y + 6);
  const pages = doc.bufferedPageRange();
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the page number sits below the table's margin: no new page for it
    doc
      .font('jp')
      .fontSize(7)
      .text(`${i + 1} / ${pages.count}`, left, doc.page.height - 28, { width: doc.page.width - 60, align: 'right', lineBreak: false });
  }
  doc.end();
  return bytes;
}
