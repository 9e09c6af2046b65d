import { createHash } from 'node:crypto';

/** One import batch as recorded in import_batches. Times are epoch ms. */
export interface BatchRecord {
  batchId: string;
  seq: number;
  source: string;
  /** The process that wrote it (server mode; '' for the embedded engine's one writer): a chain per source and writer. */
  writer: string;
  instance: string;
  transport: string;
  origin: string;
  fileSha256: string;
  linesRead: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  /** Lines kept apart (0 for batches recorded before migration 120). */
  apart: number;
  contentDigest: string;
  prevChain: string;
  chainHash: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** First and last JST day of its events ('' for batches recorded before these were kept, or without events). */
  firstDay: string;
  lastDay: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The digest of what a batch stored: its events', its quarantined lines' and
 * its lines kept apart's row digests (the last only when there are any, so
 * the batches recorded before lines were kept apart verify unchanged).
 */
export function contentDigest(eventsDigest: string, quarantineDigest: string, apartDigest = ''): string {
  return sha256(`events:${eventsDigest}\nquarantine:${quarantineDigest}${apartDigest ? `\napart:${apartDigest}` : ''}`);
}

/** chain_hash = SHA-256(previous chain hash, content digest, the batch's metadata). */
export function chainHash(b: Omit<BatchRecord, 'chainHash'>): string {
  return sha256(
    [
      b.prevChain,
      b.contentDigest,
      b.batchId,
      b.seq,
      b.source,
      b.instance,
      b.transport,
      b.origin,
      b.fileSha256,
      b.linesRead,
      b.stored,
      b.duplicates,
      b.quarantined,
      b.startedAtMs,
      b.finishedAtMs,
      // the writer joins the hash only when there is one, so the chains written before writers existed still verify
      ...(b.writer ? [b.writer] : []),
      // so do the event days (recorded since migration 064)
      ...(b.firstDay ? [`days:${b.firstDay}..${b.lastDay}`] : []),
      // and the lines kept apart (since migration 120)
      ...(b.apart ? [`apart:${b.apart}`] : []),
    ].join('\n'),
  );
}

/** The chains of a source and writer start from this value. */
export const GENESIS = '0'.repeat(64);
