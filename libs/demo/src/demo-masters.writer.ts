import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MASTERS, MasterKind, optionalColumns } from '@kansa/masters/masters.types';
import { DEPARTMENTS, DemoResidents, DemoStaff, householdNo, integratedNo, residentNo } from './demo-organisation';
import { addressCode, MOVEMENTS } from './demo-residents';
import type { DemoScenario, WatchlistRow } from './demo-scenario';

/** A master CSV in UTF-8 with BOM (what Excel writes as 「CSV UTF-8」), written in chunks. */
function writeMaster(dir: string, kind: MasterKind, rows: Iterable<string[]>): number {
  const fd = openSync(join(dir, MASTERS[kind].file), 'w');
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  let chunk = '\uFEFF' + [...MASTERS[kind].header, ...optionalColumns(kind)].join(',') + '\r\n';
  let count = 0;
  for (const row of rows) {
    chunk += row.map(quote).join(',') + '\r\n';
    count++;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return count;
}

/** Writes the master files of the demo city; returns rows per master. */
export function writeDemoMasters(dir: string, staff: DemoStaff[], residents: DemoResidents, scenario: DemoScenario): Record<MasterKind, number> {
  const hired = '2024-04-01';
  const household = (s: DemoStaff) => (s.residentIndex >= 0 ? householdNo(residents.household[s.residentIndex]) : '');
  return {
    staff: writeMaster(dir, 'staff', staff.map((s) => [s.id, s.name, s.dept.code, s.dept.name, s.status, s.retiredOn, s.residentIndex >= 0 ? residentNo(s.residentIndex) : '', household(s)])),
    leaves: writeMaster(dir, 'leaves', scenario.leaves.map((l) => [l.staffId, l.type, l.start, l.end])),
    accounts: writeMaster(
      dir,
      'accounts',
      (function* () {
        for (const s of staff) {
          const deleted = scenario.deletedAccounts.has(s.id);
          const state = deleted ? '削除' : '有効';
          const changed = deleted ? s.retiredOn : hired;
          if (s.dept.jumin) yield ['jumin', s.id, s.id, state, changed];
          if (s.dept.atenaCode) yield ['atena', s.id, s.id, state, changed];
          if (s.chukanTerminal) yield ['chukan', s.id, s.id, state, changed];
          yield ['terminal', s.id, s.id, state, changed];
        }
        for (const a of scenario.extraAccounts) yield [a.system, a.staffId, a.staffId, '有効', hired];
        // A shared maintenance ID of the vendor, suspended.
        yield ['jumin', 'VENDOR01', '', '停止', '2023-03-31'];
      })(),
    ),
    overtime: writeMaster(dir, 'overtime', scenario.overtime.map((o) => [o.staffId, o.date, o.start, o.end, o.approver])),
    watchlist: writeDemoWatchlist(dir, scenario.watchlist),
    permissions: writeMaster(
      dir,
      'permissions',
      (function* () {
        for (const d of DEPARTMENTS) {
          if (d.jumin) yield [d.code, 'jumin', '*'];
          if (d.atenaCode) yield [d.code, 'atena', d.atenaCode];
          if (d.chukan) yield [d.code, 'chukan', '*'];
          yield [d.code, 'terminal', '*'];
        }
      })(),
    ),
    residents: writeMaster(
      dir,
      'residents',
      (function* () {
        const d = scenario.details;
        for (let i = 0; i < residents.count; i++) {
          const h = residents.household[i];
          yield [residentNo(i), integratedNo(i), householdNo(h), addressCode(d.addressOfHousehold[h]), MOVEMENTS[d.movement[i]], d.movedOn.get(i) ?? ''];
        }
      })(),
    ),
    calendar: writeMaster(dir, 'calendar', scenario.overrides.map((o) => [o.date, o.kind, o.note ?? ''])),
    assignments: writeMaster(
      dir,
      'assignments',
      scenario.book.assignments().map((a) => [a.kind, a.dept, a.staffId, householdNo(a.household), '', a.start, '']),
    ),
  };
}

/** The watchlist master alone (the demo's tamper loads a folder with only this file: one new version, of the watchlist). */
export function writeDemoWatchlist(dir: string, watchlist: readonly WatchlistRow[]): number {
  return writeMaster(
    dir,
    'watchlist',
    watchlist.map((w) => [w.category, w.byResidentNo ? residentNo(w.resident) : '', w.byIntegratedNo ? integratedNo(w.resident) : '', w.start, w.end, w.departments.join(';')]),
  );
}
