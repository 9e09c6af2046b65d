import { createHash } from 'node:crypto';

/**
 * A finding's identity: hex of the first 16 bytes of SHA-256 over
 * (rule, subject, day). Re-running a window yields the same ID, so a finding
 * is replaced, never duplicated.
 */
export function findingId(rule: string, subject: string, day: string): string {
  return createHash('sha256').update(`${rule}\u0000${subject}\u0000${day}`, 'utf8').digest('hex').slice(0, 32);
}
