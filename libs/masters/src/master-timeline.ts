import { addDays } from '@kansa/calendar/business-calendar';
import type { MasterVersions } from '@kansa/domain';
import { MasterKind, MASTERS } from './masters.types';

/** One stored version of one master: when it takes effect and what it holds. */
export interface MasterVersionMark {
  master: MasterKind;
  version: number;
  /** JST 'YYYY-MM-DD HH:MM:SS.sss'. */
  effectiveFrom: string;
  /** SHA-256 of the loaded file: versions with the same hash hold the same rows. */
  fileSha256: string;
}

const KINDS = Object.keys(MASTERS) as MasterKind[];

/**
 * Every version of every master, in memory (a few rows per load): which
 * versions a day is analysed against, and whether two versions hold the
 * same content. A day D uses the version with the latest effective_from
 * (then the highest version) before the end of D; when none is effective
 * yet, the earliest version (the first load reaches back); 0 when the master
 * was never loaded.
 */
export class MasterTimeline {
  private readonly byMaster = new Map<MasterKind, MasterVersionMark[]>();
  private readonly content = new Map<string, string>();

  constructor(marks: readonly MasterVersionMark[]) {
    for (const m of marks) {
      const list = this.byMaster.get(m.master) ?? [];
      list.push(m);
      this.byMaster.set(m.master, list);
      this.content.set(`${m.master}|${m.version}`, m.fileSha256);
    }
    // ascending (effective_from, version): the last effective one wins, the first reaches back
    for (const list of this.byMaster.values()) {
      list.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version - b.version);
    }
  }

  /** The master versions a JST day is analysed against. */
  versionsAt(day: string): MasterVersions {
    const end = `${addDays(day, 1)} 00:00:00.000`;
    const versions = Object.fromEntries(KINDS.map((k) => [k, 0])) as unknown as MasterVersions;
    for (const [master, list] of this.byMaster) {
      if (!(master in versions)) continue;
      const effective = list.filter((m) => m.effectiveFrom < end);
      versions[master] = (effective.length ? effective[effective.length - 1] : list[0]).version;
    }
    return versions;
  }

  /**
   * Whether two versions of a master hold the same rows (the same file was
   * loaded again). Version 0 (never loaded) equals only itself; a version
   * this timeline does not know equals none.
   */
  sameContent(master: MasterKind, a: number, b: number): boolean {
    if (a === b) return true;
    if (a === 0 || b === 0) return false;
    const x = this.content.get(`${master}|${a}`);
    return x !== undefined && x === this.content.get(`${master}|${b}`);
  }
}
