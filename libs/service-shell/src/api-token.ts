import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiRole, ApiToken } from '@kansa/config';
import type { PersonRole } from './permissions';

/**
 * Who called: a machine's API token (its configured name and role), a
 * person logged in to the console (account name and role), or the command
 * line (`cli`: the OS user, for the audit log).
 */
export interface ApiClient {
  kind: 'token' | 'person' | 'cli';
  name: string;
  role: ApiRole | PersonRole;
  /** ingest tokens: the sources it may send (empty: any). */
  sources?: readonly string[];
  /** people: the account, the departments a reviewer may see, the session. */
  userId?: string;
  departments?: readonly string[];
  session?: { hash: string; csrfToken: string; mustChangePassword: boolean; expiresAt: string };
}

/** The hex SHA-256 that configuration stores in place of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token (256 bits), shown once to the administrator. */
export function generateToken(): string {
  return `kansa_${randomBytes(32).toString('base64url')}`;
}

/** The configured client whose hash matches the presented token (compared in constant time), or null. */
export function findClient(tokens: ReadonlyArray<Omit<ApiToken, 'sources'> & { sources?: string[] }>, presented: string): ApiClient | null {
  const digest = Buffer.from(hashToken(presented), 'hex');
  let found: ApiClient | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(digest, Buffer.from(t.sha256, 'hex')) && !found) {
      found = { kind: 'token', name: t.name, role: t.role, sources: t.sources ?? [] };
    }
  }
  return found;
}

/** Whether an ingest client may send events of `source` (tokens without a list: any). */
export function mayIngest(client: ApiClient, source: string): boolean {
  return !client.sources?.length || client.sources.includes(source);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}
