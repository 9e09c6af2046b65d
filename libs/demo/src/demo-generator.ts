import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, dayOfWeek } from '@kansa/calendar/business-calendar';
import { MasterKind } from '@kansa/masters/masters.types';
import { ActivityContext, staffDay } from './demo-activity';
import { DailyLogWriter, DEMO_SOURCES, DemoEvent, DemoRecordEvent, DemoSource, formatLine } from './demo-formats';
import { IntakeBook } from './demo-intake';
import { writeDemoMasters, writeDemoWatchlist } from './demo-masters.writer';
import { buildOrganisation, DEPARTMENTS } from './demo-organisation';
import { Random } from './demo-random';
import { ManifestEntry, PlannedException, PlantedMisuse, planScenario } from './demo-scenario';
import { WindowsDayWriter } from './demo-windows';

export interface DemoOptions {
  /** Output folder: masters/, logs/ and expected-findings.json are written there. */
  outDir: string;
  /** 'YYYY-MM'. */
  month: string;
  /** Staff of the city (default 300; at least 40). */
  staff?: number;
  /** Any string or number: the same seed gives the same files. */
  seed?: string | number;
  /**
   * Activity per staff member and day (default 1 ≈ 30 events). Up to about 10
   * ordinary work stays under the mass-lookup threshold; for a large city
   * raise `staff` rather than `scale`.
   */
  scale?: number;
  /**
   * Months of history before `month` (default 0), written to `outDir/history/`:
   * ordinary work only, as the logs a city already holds when it analyses a
   * month (rules with a look-back — the unused-account rule needs 90 days —
   * see a real past). Nothing is planted there; the manifest's `period`,
   * `valid_events`, `expected` and `decoys` stay those of `month`.
   */
  historyMonths?: number;
  /** Called after each day is written (progress bars). */
  onDay?: (day: string, events: number) => void;
}

export interface DemoManifest {
  period: [string, string];
  valid_events: Record<DemoSource, number>;
  /** Records of the PCs' Windows Security logs (.evtx, source windows): the terminals' own record of logons, unlocks, logoffs and USB devices, and what is kept apart. */
  windows_records: number;
  bad_lines: number;
  /** The history written before the month (`historyMonths` > 0). */
  history?: { period: [string, string]; valid_events: Record<DemoSource, number> };
  expected: ManifestEntry[];
  decoys: ManifestEntry[];
  /** Exceptions the city approved in advance (kansa demo registers them before analysing). */
  planned: PlannedException[];
  /** Planted look-ups nothing explains: each must end up unexplained or flagged (docs/explanations.md). */
  misuse: PlantedMisuse[];
  /** Settings the planted decoys assume (e.g. the approved USB device). */
  settings: { approvedDevices: string[]; calendarOverrides: Array<{ date: string; kind: string; note?: string }> };
}

export interface DemoResult {
  outDir: string;
  mastersDir: string;
  /** The watchlist alone, with one entry removed (the demo's tamper). */
  tamperedMastersDir: string;
  logsDir: string;
  /** Logs of the months before (only with `historyMonths` > 0). */
  historyDir: string | null;
  manifestPath: string;
  manifest: DemoManifest;
  masters: Record<MasterKind, number>;
  /** Events of the month (history events: `manifest.history`). */
  events: number;
  /** Files of the month and of the history. */
  files: number;
  bytes: number;
  elapsedMs: number;
}

function emptyCounts(): Record<DemoSource, number> {
  return { jumin: 0, atena: 0, chukan: 0, terminal: 0, records: 0 };
}

interface HeapNode {
  ev: DemoEvent;
  it: Iterator<DemoEvent>;
  order: number;
}

/** A binary min-heap by (time, generator order): merges time-ordered streams. */
class EventHeap {
  private nodes: HeapNode[] = [];
  get size(): number {
    return this.nodes.length;
  }
  private less(a: HeapNode, b: HeapNode): boolean {
    return a.ev.t < b.ev.t || (a.ev.t === b.ev.t && a.order < b.order);
  }
  push(it: Iterator<DemoEvent>, order: number): void {
    const r = it.next();
    if (r.done) return;
    const nodes = this.nodes;
    nodes.push({ ev: r.value, it, order });
    let i = nodes.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(nodes[i], nodes[p])) break;
      [nodes[i], nodes[p]] = [nodes[p], nodes[i]];
      i = p;
    }
  }
  /** Takes the earliest event and advances its stream. */
  pop(): DemoEvent {
    const nodes = this.nodes;
    const top = nodes[0];
    const ev = top.ev;
    const r = top.it.next();
    if (r.done) {
      const lastNode = nodes.pop()!;
      if (nodes.length === 0) return ev;
      nodes[0] = lastNode;
    } else {
      top.ev = r.value;
    }
    let i = 0;
    const n = nodes.length;
    for (;;) {
      const l = 2 * i + 1;
      const rr = l + 1;
      let m = i;
      if (l < n && this.less(nodes[l], nodes[m])) m = l;
      if (rr < n && this.less(nodes[rr], nodes[m])) m = rr;
      if (m === i) break;
      [nodes[i], nodes[m]] = [nodes[m], nodes[i]];
      i = m;
    }
    return ev;
  }
}

/** The business records of a day, every department's, in time order. */
function dayRecords(book: IntakeBook, day: string): DemoRecordEvent[] {
  return DEPARTMENTS.flatMap((d) => book.records(d, day))
    .sort((a, b) => a.time - b.time)
    .map((record) => ({ t: record.time, source: 'records', record }));
}

/** Days of the open cases carried into the month's first business-records file. */
const BACKLOG_DAYS = 21;

/** The business records of the weeks before `first`, each with its own date, written first in the file of `first`. */
function backlog(book: IntakeBook, first: string): DemoRecordEvent[] {
  const out: DemoRecordEvent[] = [];
  // One push per record: spreading a big city's day of records into push() overflows the call stack.
  for (let k = BACKLOG_DAYS; k >= 1; k--) for (const e of dayRecords(book, addDays(first, -k))) out.push({ ...e, t: -1 });
  return out;
}

/**
 * Generates a realistic month of the four source logs and the masters of a
 * demo city, with planted incidents for every rule and look-alike decoys, and
 * expected-findings.json listing them. Streams day by day (a staff member's
 * day is generated lazily and merged by time), so memory stays flat at any size.
 */
export function generateDemo(options: DemoOptions): DemoResult {
  const started = Date.now();
  const seed = String(options.seed ?? 'kansa');
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new Error(`scale must be > 0 (got ${scale})`);
  const { staff, residents } = buildOrganisation(seed, options.staff ?? 300);
  const historyMonths = options.historyMonths ?? 0;
  if (!Number.isInteger(historyMonths) || historyMonths < 0 || historyMonths > 12) throw new Error(`historyMonths must be an integer 0–12 (got ${historyMonths})`);
  const scenario = planScenario(seed, options.month, staff, residents, historyMonths, scale);
  const mastersDir = join(options.outDir, 'masters');
  const logsDir = join(options.outDir, 'logs');
  mkdirSync(mastersDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  const masters = writeDemoMasters(mastersDir, staff, residents, scenario);
  const tamperedMastersDir = join(options.outDir, 'masters-tampered');
  rmSync(tamperedMastersDir, { recursive: true, force: true });
  mkdirSync(tamperedMastersDir, { recursive: true });
  writeDemoWatchlist(tamperedMastersDir, scenario.tamperedWatchlist);

  const ctx: ActivityContext = { residents, reserved: scenario.reserved, book: scenario.book };
  const counts = emptyCounts();
  const written = { files: 0, bytes: 0 };
  let windowsRecords = 0;
  const writeDays = (
    calendar: typeof scenario.calendar,
    dir: string,
    out: Record<DemoSource, number>,
    workDays: (day: string) => boolean,
    isMonth = true,
  ) => {
    const monthEnd = new Set<string>();
    const business = calendar.filter((d) => d.businessDay).map((d) => d.date);
    for (let i = 0; i < business.length; i++) {
      if (business[i + 3]?.slice(0, 7) !== business[i].slice(0, 7)) monthEnd.add(business[i]);
    }
    for (const { date: day } of calendar) {
      const heap = new EventHeap();
      const planted = scenario.events.get(day) ?? [];
      heap.push(planted[Symbol.iterator](), -1);
      // The day's business records of every department; the first file of the month, and of the history before it,
      // also carries the records of the weeks before (the open cases), so that its first days are explained like the
      // others (the history's first weeks were otherwise hundreds of unexplained accesses once analysed).
      if (day === calendar[0].date) heap.push(backlog(scenario.book, day)[Symbol.iterator](), -3);
      heap.push(dayRecords(scenario.book, day)[Symbol.iterator](), -2);
      if (workDays(day)) {
        const factor = scale * (dayOfWeek(day) === 1 ? 1.3 : 1) * (monthEnd.has(day) ? 1.25 : 1) * (day === scenario.openDay ? 0.6 : 1);
        for (const s of staff) {
          if (!scenario.works(s, day)) continue;
          heap.push(staffDay(ctx, day, s, Random.derive(seed, 'day', s.index, day), factor, scenario.approvedDevice, day === scenario.openDay), s.index);
        }
      }
      const yyyymmdd = day.replace(/-/g, '');
      const writers = new Map<DemoSource, DailyLogWriter>();
      // the PCs' Security log of the day: only when a terminal logged something (or a planted clear)
      let windows: WindowsDayWriter | undefined;
      if (isMonth && scenario.windowsLogClear.day === day) {
        windows = new WindowsDayWriter(dir, yyyymmdd, day);
        windows.clear(scenario.windowsLogClear);
      }
      let serial = 0;
      let dayEvents = 0;
      while (heap.size > 0) {
        const ev = heap.pop();
        if (ev.source === 'chukan' && day === scenario.chukanSilentDay) continue;
        let w = writers.get(ev.source);
        if (!w) {
          w = new DailyLogWriter(ev.source, dir, yyyymmdd);
          writers.set(ev.source, w);
        }
        const serialNo = ev.source === 'chukan' ? `Q${yyyymmdd}${String(serial++).padStart(6, '0')}` : '';
        w.write(formatLine(day, ev, serialNo));
        if (ev.source === 'terminal') (windows ??= new WindowsDayWriter(dir, yyyymmdd, day)).add(ev);
        out[ev.source]++;
        dayEvents++;
      }
      for (const w of writers.values()) {
        w.close();
        written.files++;
        written.bytes += w.bytes;
      }
      if (windows) {
        windows.close();
        written.files++;
        written.bytes += windows.bytes;
        if (isMonth) windowsRecords += windows.records;
      }
      options.onDay?.(day, dayEvents);
    }
  };

  let history: DemoManifest['history'];
  let historyDir: string | null = null;
  if (scenario.historyCalendar.length) {
    historyDir = join(options.outDir, 'history');
    mkdirSync(historyDir, { recursive: true });
    const historyCounts = emptyCounts();
    const cal = scenario.historyCalendar;
    const historyWorkDays = new Set(cal.filter((d) => d.businessDay).map((d) => d.date));
    writeDays(cal, historyDir, historyCounts, (day) => historyWorkDays.has(day), false);
    history = { period: [cal[0].date, cal[cal.length - 1].date], valid_events: historyCounts };
  }
  writeDays(scenario.calendar, logsDir, counts, (day) => scenario.workDays.has(day));

  const manifest: DemoManifest = {
    period: [scenario.calendar[0].date, scenario.calendar[scenario.calendar.length - 1].date],
    valid_events: counts,
    windows_records: windowsRecords,
    bad_lines: 0,
    ...(history ? { history } : {}),
    expected: scenario.expected,
    decoys: scenario.decoys,
    planned: scenario.planned,
    misuse: scenario.misuse,
    settings: { approvedDevices: [scenario.approvedDevice], calendarOverrides: scenario.overrides },
  };
  const manifestPath = join(options.outDir, 'expected-findings.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  return {
    outDir: options.outDir,
    mastersDir,
    tamperedMastersDir,
    logsDir,
    historyDir,
    manifestPath,
    manifest,
    masters,
    events: DEMO_SOURCES.reduce((a, s) => a + counts[s], 0),
    files: written.files,
    bytes: written.bytes,
    elapsedMs: Date.now() - started,
  };
}
