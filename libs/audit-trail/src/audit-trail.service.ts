import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstTimestamp, parseJstTimestamp } from '@kansa/domain';
import { processWriter } from '@kansa/storage';
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { AUDIT_GENESIS, AuditChange, auditHash, AuditKind } from './audit-change';
import { AuditTrailRepository } from './audit-trail.repository';

/** A change to record: who made it and what it was (before/after as plain data, no resident data, no secrets). */
export interface ChangeInput {
  kind: AuditKind;
  subject: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  /** Who: a person's name, 'config file <path>', or 'kansa' (its own watch). */
  actor: string;
  /** From where; default: this host and OS user. */
  origin?: string;
}

export interface AuditChainReport {
  ok: boolean;
  changes: number;
  /** The first broken change of each chain. */
  broken: Array<{ writer: string; seq: number; changeId: string; at: string; problem: string }>;
}

/**
 * The audit trail of kansa itself: records changes (append-only, chained
 * per writer) and verifies the chains. What alerts the 監査担当 reads it
 * (the analyzer's audit alert dispatcher).
 */
@Injectable()
export class AuditTrailService {
  private readonly writer: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: AuditTrailRepository,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.writer = processWriter(config.storage);
  }

  /** This process: host and OS user (for changes made at this machine). */
  static localOrigin(): string {
    let user: string;
    try {
      user = userInfo().username;
    } catch {
      user = process.env.USER ?? '';
    }
    return `${hostname()}${user ? ` (${user})` : ''}`;
  }

  record(input: ChangeInput, at: Date = new Date()): Promise<AuditChange> {
    const run = this.queue.then(async () => {
      const prev = await this.repo.last(this.writer);
      const change: Omit<AuditChange, 'hash'> = {
        changeId: randomBytes(16).toString('hex'),
        writer: this.writer,
        seq: (prev?.seq ?? 0) + 1,
        at: jstTimestamp(at),
        kind: input.kind,
        subject: input.subject,
        summary: input.summary,
        before: input.before === undefined ? '' : JSON.stringify(input.before),
        after: input.after === undefined ? '' : JSON.stringify(input.after),
        actor: input.actor,
        origin: input.origin ?? AuditTrailService.localOrigin(),
        prevHash: prev?.hash ?? AUDIT_GENESIS,
      };
      const full = { ...change, hash: auditHash(change) };
      await this.repo.insert(full);
      return full;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The last recorded change of a kind (and subject). */
  lastOf(kind: AuditKind, subject?: string): Promise<AuditChange | undefined> {
    return this.repo.lastOf([kind], subject);
  }

  /** The last recorded change of any of these kinds. */
  lastOfKinds(kinds: readonly AuditKind[]): Promise<AuditChange | undefined> {
    return this.repo.lastOf(kinds);
  }

  list(filter: { fromDay?: string; toDay?: string; kinds?: readonly string[]; limit?: number } = {}): Promise<AuditChange[]> {
    return this.repo.list(filter);
  }

  /** Recomputes every chain: a change altered, deleted or inserted behind kansa's back breaks it. */
  async verify(): Promise<AuditChainReport> {
    const all = await this.repo.all();
    const broken: AuditChainReport['broken'] = [];
    const byWriter = new Map<string, AuditChange[]>();
    for (const c of all) byWriter.set(c.writer, [...(byWriter.get(c.writer) ?? []), c]);
    for (const [writer, chain] of byWriter) {
      let prev = AUDIT_GENESIS;
      let seq = 1;
      for (const c of chain) {
        const problem =
          c.seq !== seq
            ? `連番${seq}の記録がありません (削除された可能性)`
            : c.prevHash !== prev
              ? '前の記録とのチェーンが一致しません'
              : auditHash(c) !== c.hash
                ? '記録が改ざんされています (ハッシュ不一致)'
                : undefined;
        if (problem) {
          broken.push({ writer, seq: c.seq, changeId: c.changeId, at: c.at, problem });
          break;
        }
        prev = c.hash;
        seq = c.seq + 1;
      }
    }
    return { ok: broken.length === 0, changes: all.length, broken };
  }

  /**
   * Reads the clock against the latest reading on this machine (the writer
   * without its process ID: a restart keeps comparing): the earlier reading
   * when it went back by more than `toleranceMs`.
   */
  async readClock(now: Date, toleranceMs: number): Promise<{ wentBackFrom?: string }> {
    const machine = this.writer.replace(/:\d+$/, '');
    const mark = await this.repo.clockMark(machine);
    await this.repo.addClockMark(machine, (mark?.seq ?? 0) + 1, jstTimestamp(now));
    if (mark && parseJstTimestamp(mark.seenAt) - now.getTime() > toleranceMs) return { wentBackFrom: mark.seenAt };
    return {};
  }
}
