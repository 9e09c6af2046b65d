import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { eventBounds } from './event-checks';
import { countIsolated, IngestService } from './ingest.service';
import { emptyCounts, IngestCounts, IngestRequest, IngestResult, RawRecord, SetAsideNote } from './ingest.types';
import { OpenBatch } from './open-batch';

/** A request waiting in a group: its records renumbered into the group's batch, its own counts. */
interface Member {
  request: IngestRequest;
  records: RawRecord[];
  /** Its line n is the batch's line offset + n. */
  offset: number;
  /** Its highest line number. */
  span: number;
  total: IngestCounts;
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

/** Requests of one source, instance and token scope that will share one commit. */
interface Group {
  key: string;
  members: Member[];
  /** Records taken so far. */
  lines: number;
  /** The next member's offset. */
  span: number;
  batch: Promise<OpenBatch>;
  /** Every member's records taken into the batch, in order. */
  taken: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * A group is parsed by the source's SQL twin (the lean path) when the group
 * before it had at least this many lines, else wholly in JavaScript: the
 * twin's own statements (normalizing into a held table, its check, dropping
 * it) cost more than parsing a few hundred lines in JavaScript. Measured in
 * CPU time per event (docs/collector.md): the two cross at about 2,500 lines.
 */
const LEAN_GROUP_LINES = 2_500;

/** Sizes of last groups remembered (a key per source, instance and token scope; instances are the senders' own). */
const MAX_KEYS_REMEMBERED = 1_000;

/**
 * Group commit of HTTP ingest requests (docs/collector.md "HTTP: requests
 * committed together"). Each commit costs about the same whatever its size
 * (staging, the insert, the ledger row, the chain), so requests that arrive
 * while a commit is in flight share the next one — the leader/follower
 * pattern of databases: a request arriving when nothing is committing is
 * committed at once (an idle sender waits for nothing); one arriving while a
 * commit is in flight joins the open group of its source, instance and token
 * scope, which closes when the commits before it have ended (and the senders
 * they answered have sent again, or `gatherMs` has passed), at
 * `http.groupCommit.maxLines` lines, or `maxWaitMs` after its first request.
 *
 * A group is one batch: one staging, one commit intent, one insert, one
 * ledger row — the source's chain is extended once per group. Each request's
 * lines are numbered after those of the requests before it (its line n is the
 * batch's line offset + n), so that poison-line isolation, quarantine and
 * kept-apart lines work as for any batch, and each request is answered with
 * its own counts and lines once the shared commit is stored. Storage
 * unavailable: every request of the group gets the error (503; the batch is
 * completed later like any pending commit, and resent lines are duplicates).
 * A shared batch storage refuses beyond isolating poison lines is given up
 * (nothing of it stays) and its requests are committed one by one, so that
 * one bad request never sets the others aside.
 */
@Injectable()
export class GroupCommitService implements OnModuleDestroy {
  private readonly maxLines: number;
  private readonly maxWaitMs: number;
  /** The group of each key that still takes requests. */
  private readonly open = new Map<string, Group>();
  /** Lines of the last group of each key: how large the next one is likely to be. */
  private readonly lastLines = new Map<string, number>();
  /** Closed groups not yet answered (committing, or waiting for the commit before them). */
  private committing = 0;
  /** Per key, senders answered by the commits that ended whose next request has not arrived yet. */
  private readonly returning = new Map<string, number>();
  /** Per key, the time left for those senders to come back (started when the commits in flight have ended). */
  private readonly gathering = new Map<string, NodeJS.Timeout>();
  private readonly gatherMs: number;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly ingest: IngestService,
  ) {
    this.maxLines = config.http.groupCommit.maxLines;
    this.maxWaitMs = config.http.groupCommit.maxWaitMs;
    this.gatherMs = config.http.groupCommit.gatherMs;
  }

  onModuleDestroy(): void {
    for (const key of [...this.gathering.keys()]) this.stopWaiting(key);
  }

  /** Stores a request's records, in a commit shared with the requests that arrive meanwhile; resolves once they are stored. */
  async submit(request: IngestRequest): Promise<IngestResult> {
    const records = [...(request.records as Iterable<RawRecord>)];
    if (records.length === 0 || records.length >= this.maxLines) return this.ingest.ingest({ ...request, records });
    this.ingest.system(request.source); // an unknown source is refused at once
    const key = [request.source, request.instance ?? '', [...(request.allowedSources ?? [])].sort().join(',')].join('\0');
    const back = this.returning.get(key);
    if (back) this.returning.set(key, back - 1);
    let group = this.open.get(key);
    if (group && group.lines + records.length > this.maxLines) {
      this.close(group);
      group = undefined;
    }
    group ??= this.openGroup(key, request);
    const result = this.join(group, request, records);
    if (this.committing === 0 && !this.awaitsSenders(key)) this.close(group);
    return result;
  }

  /** Whether the key's next group still waits for senders the last commits answered (within http.groupCommit.gatherMs). */
  private awaitsSenders(key: string): boolean {
    return this.gathering.has(key) && (this.returning.get(key) ?? 0) > 0;
  }

  /**
   * The commits in flight have ended. A waiting group is committed now —
   * unless senders just answered are expected back with their next request:
   * then it waits up to gatherMs for them (closing as soon as they are all
   * in), so that senders who resend as soon as they are answered share one
   * commit instead of alternating between two half groups.
   */
  private allCommitted(): void {
    // `returning` only fills when gatherMs > 0 (answered()).
    for (const [key, n] of this.returning) {
      if (n > 0 && !this.gathering.has(key)) this.gathering.set(key, setTimeout(() => this.gathered(key), this.gatherMs).unref());
    }
    for (const waiting of [...this.open.values()]) if (!this.awaitsSenders(waiting.key)) this.close(waiting);
  }

  /** The time for the answered senders to come back is over: those that did not are no longer waited for. */
  private gathered(key: string): void {
    this.stopWaiting(key);
    const group = this.open.get(key);
    if (group && this.committing === 0) this.close(group);
  }

  /** The key's answered senders are no longer waited for: their wait has ended, or their next group has closed. */
  private stopWaiting(key: string): void {
    clearTimeout(this.gathering.get(key));
    this.gathering.delete(key);
    this.returning.delete(key);
  }

  /** Senders answered by a commit: expected back with their next request (gatherMs). */
  private answered(key: string, senders: number): void {
    if (this.gatherMs > 0) this.returning.set(key, (this.returning.get(key) ?? 0) + senders);
  }

  private openGroup(key: string, request: IngestRequest): Group {
    const bounds = eventBounds(this.config.ingest, this.config.storage.retentionYears, Date.now());
    const lean = (this.lastLines.get(key) ?? 0) >= LEAN_GROUP_LINES;
    const batch = this.ingest.openBatch(this.ingest.system(request.source), request, bounds, lean);
    batch.catch(() => undefined); // awaited by every member's take
    const group: Group = { key, members: [], lines: 0, span: 0, batch, taken: Promise.resolve() };
    group.timer = setTimeout(() => this.close(group), this.maxWaitMs);
    this.open.set(key, group);
    return group;
  }

  private join(group: Group, request: IngestRequest, records: RawRecord[]): Promise<IngestResult> {
    const offset = group.span;
    const span = records.reduce((m, r) => Math.max(m, r.lineNo), 0);
    group.span += span;
    group.lines += records.length;
    return new Promise<IngestResult>((resolve, reject) => {
      const member: Member = { request, records, offset, span, total: emptyCounts(), resolve, reject };
      group.members.push(member);
      const renumbered = offset === 0 ? records : records.map((r) => ({ ...r, lineNo: r.lineNo + offset }));
      group.taken = group.taken.then(async () => {
        const batch = await group.batch;
        batch.take(renumbered, 0, renumbered.length, member.total);
        await batch.flush(false);
      });
      group.taken.catch(() => undefined); // awaited (and answered) by the group's commit
    });
  }

  /** The group takes no more requests; it is committed after the groups closed before it. */
  private close(group: Group): void {
    if (this.open.get(group.key) !== group) return;
    this.open.delete(group.key);
    if (this.lastLines.size >= MAX_KEYS_REMEMBERED) this.lastLines.clear();
    this.lastLines.set(group.key, group.lines);
    clearTimeout(group.timer);
    this.stopWaiting(group.key);
    this.committing++;
    void this.commit(group).finally(() => {
      if (--this.committing === 0) this.allCommitted();
    });
  }

  /** Commits a closed group and answers each of its requests. */
  private async commit(group: Group): Promise<void> {
    const { members } = group;
    let batch: OpenBatch | undefined;
    try {
      batch = await group.batch;
      await group.taken;
    } catch (err) {
      await batch?.staging.drop().catch(() => undefined);
      for (const m of members) m.reject(err);
      return;
    }
    try {
      if (members.length === 1) {
        // Alone: committed and counted as any single request.
        const [m] = members;
        const setAside: SetAsideNote[] = [];
        await this.ingest.commit(batch, m.request, '', m.total, setAside);
        this.answered(group.key, 1);
        m.resolve({ ...m.total, batchId: batch.batchId, batchIds: [batch.batchId], setAsideBatches: setAside });
        return;
      }
      const request = { ...members[0].request, origin: [...new Set(members.map((m) => m.request.origin))].join(',') };
      const ends = members.map((m) => m.offset + m.span);
      const owner = (lineNo: number) => members[ends.findIndex((end) => lineNo <= end)] ?? members[members.length - 1];
      const outcome = await this.ingest.commitStaged(batch, request, '', (lineNo) => owner(lineNo).total, {
        abandonRefused: true,
        shareEnds: ends,
      });
      if (outcome.kind === 'set-aside') {
        // Given up whole: each request is committed alone (a bad one set aside alone, the others stored).
        await Promise.all(members.map((m) => this.ingest.ingest({ ...m.request, records: m.records }).then(m.resolve, m.reject)));
        return;
      }
      const stored = outcome.shares;
      this.answered(group.key, members.length);
      members.forEach((m, i) => {
        const t = m.total;
        t.stored = stored[i].events;
        t.apart = Object.values(stored[i].apart).reduce((a, n) => a + n, 0);
        t.apartKinds = stored[i].apart;
        countIsolated(
          t,
          outcome.isolated.filter((line) => owner(line.lineNo) === m),
        );
        // What was neither stored, quarantined nor kept apart was stored before (or twice in the batch).
        t.duplicates = t.read - t.stored - t.quarantined - t.apart;
        m.resolve({
          ...t,
          batchId: batch.batchId,
          batchIds: [batch.batchId],
          setAsideBatches: [],
          share: { batchId: batch.batchId, offset: m.offset, span: m.span, requests: members.length },
        });
      });
    } catch (err) {
      for (const m of members) m.reject(err);
    }
  }
}
