import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiRole, ApiToken } from '@kansa/config';

/** Who called the API: the configured token's name and role. */
export interface ApiClient {
  name: string;
  role: ApiRole;
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
export function findClient(tokens: readonly ApiToken[], presented: string): ApiClient | null {
  const digest = Buffer.from(hashToken(presented), 'hex');
  let found: ApiClient | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(digest, Buffer.from(t.sha256, 'hex')) && !found) found = { name: t.name, role: t.role };
  }
  return found;
}

/** triage implies read; ingest is only for sending systems. */
export function roleAllows(have: ApiRole, need: ApiRole): boolean {
  return have === need || (have === 'triage' && need === 'read');
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}
