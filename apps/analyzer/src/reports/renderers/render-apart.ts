import type { ReportFormat } from '@kansa/config';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MonthlyReport } from '../model/report.model';
import type { RenderSettings } from './render';

export interface Rendered {
  format: ReportFormat;
  bytes: Buffer;
  ms: number;
}

type Message = { format: ReportFormat; bytes: Uint8Array; ms: number; error?: undefined } | { format: ReportFormat; error: string };

/** A report's formats that could not be rendered: which one, and why. */
export class RenderError extends Error {
  constructor(
    readonly format: ReportFormat,
    reason: string,
  ) {
    super(`the ${format.toUpperCase()} could not be rendered: ${reason}`);
  }
}

/**
 * Renders the formats on a thread of their own (render-worker.js), in order.
 * Rendering is synchronous work of seconds for a large month (pdfkit,
 * ExcelJS), and its memory grows with the rows: on the service's own thread
 * it held up every request meanwhile, and running out of memory ended the
 * service (docs/report.md, "A month with tens of thousands of findings").
 * On its own thread the service goes on answering, and a renderer that runs
 * out of memory ends that thread alone: the report fails with the format
 * and the reason. So does one that runs past `timeoutMs`
 * (report.renderTimeoutSeconds): the thread is stopped. `maxHeapMb` bounds
 * the thread's heap (tests); by default it is the process's.
 */
export function renderApart(
  report: MonthlyReport,
  formats: readonly ReportFormat[],
  settings: RenderSettings,
  limits: { maxHeapMb?: number; timeoutMs?: number } = {},
): Promise<Rendered[]> {
  return new Promise((resolve, reject) => {
    const done: Rendered[] = [];
    let failed: RenderError | null = null;
    const worker = new Worker(join(__dirname, 'render-worker.js'), {
      workerData: { report, formats, settings },
      ...(limits.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb } } : {}),
    });
    const current = () => formats[done.length] ?? formats[formats.length - 1];
    const timer = limits.timeoutMs
      ? setTimeout(() => {
          failed ??= new RenderError(current(), tookTooLong(limits.timeoutMs!));
          void worker.terminate();
        }, limits.timeoutMs)
      : null;
    worker.on('message', (m: Message) => {
      if (m.error !== undefined) failed ??= new RenderError(m.format, m.error);
      else done.push({ format: m.format, bytes: Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), ms: m.ms });
    });
    worker.on('error', (err: Error & { code?: string }) => {
      failed ??= new RenderError(current(), err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory(current()) : err.message);
    });
    worker.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      if (failed) reject(failed);
      else if (done.length < formats.length) reject(new RenderError(current(), `the renderer stopped (exit code ${code})`));
      else resolve(done);
    });
  });
}

/** Why a format ran out of memory, and what the site can do about it. */
function outOfMemory(format: ReportFormat): string {
  return format === 'pdf'
    ? 'the renderer ran out of memory; lower report.pdfRowLimit, the rows the PDF lists of a table (docs/report.md) (PDF の作成中にメモリが不足しました。report.pdfRowLimit を小さくしてください)'
    : 'the renderer ran out of memory (docs/report.md) (作成中にメモリが不足しました)';
}

/** Why rendering was stopped, and what the site can do about it. */
function tookTooLong(ms: number): string {
  const s = ms / 1000;
  return `rendering took longer than ${s} s and was stopped; raise report.renderTimeoutSeconds or lower report.pdfRowLimit (docs/report.md) (作成が ${s} 秒を超えたため中止しました)`;
}
