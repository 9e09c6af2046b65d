import { HeaderMismatchError } from '../../../pipeline/record-processor';
import { RawRecord } from '../../../pipeline/ingest.types';
import { winEventJson } from '../../../source-systems/windows/win-event';
import { EvtxItem, EvtxReader, NotEvtxError } from './evtx-reader';

/** Field of a quarantined chunk (or of a file header whose checksum fails). */
export const CHUNK_FIELD = '(チャンク)';

/**
 * Frames an .evtx byte stream into the pipeline's records, like LineFramer
 * does lines: each event record becomes one record (its fields as an
 * evtx_dump JSON line, the `raw` kept), numbered in file order; a chunk whose
 * checksums fail becomes one record quarantined with its offset and the
 * record numbers it claims — the other chunks are read. Memory holds one
 * chunk at a time.
 */
export class EvtxFramer {
  private readonly reader = new EvtxReader();
  private n = 0;
  private headerReported = false;

  constructor(private readonly path: string) {}

  push(bytes: Buffer): RawRecord[] {
    return this.frame(() => this.reader.push(bytes));
  }

  end(): RawRecord[] {
    return this.frame(() => this.reader.end());
  }

  private frame(read: () => EvtxItem[]): RawRecord[] {
    let items: EvtxItem[];
    try {
      items = read();
    } catch (err) {
      if (err instanceof NotEvtxError) throw new HeaderMismatchError(this.path, 'ElfFile (EVTX)', err.message);
      throw err;
    }
    const out: RawRecord[] = [];
    if (!this.headerReported && this.reader.headerProblems.length > 0) {
      this.headerReported = true;
      const reason = this.reader.headerProblems.join('、');
      out.push({
        lineNo: ++this.n,
        text: `ファイルヘッダー (オフセット 0): ${reason}`,
        origin: `${this.path} (ファイルヘッダー)`,
        refused: { field: CHUNK_FIELD, reason },
      });
    }
    for (const item of items) {
      if (item.kind === 'event') {
        out.push({ lineNo: ++this.n, text: winEventJson(item.event), read: item.event });
      } else {
        const records = item.firstRecord ? `、レコード番号 ${item.firstRecord}〜${item.lastRecord}` : '';
        const where = `チャンク ${item.chunk} (オフセット ${item.offset} = 0x${item.offset.toString(16)})${records}`;
        out.push({
          lineNo: ++this.n,
          text: `${where}: ${item.reason}`,
          origin: `${this.path} (チャンク ${item.chunk}, オフセット ${item.offset})`,
          refused: { field: CHUNK_FIELD, reason: `${item.reason} — ${where}` },
        });
      }
    }
    return out;
  }
}
