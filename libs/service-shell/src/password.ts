import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';

/**
 * Passwords are kept as argon2id hashes (memory-hard; @node-rs/argon2, a
 * prebuilt binary): 19 MiB, 2 passes, 1 lane — the OWASP minimum for argon2id.
 */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so that both take as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword('kansa-decoy-password'));
}

/** Letters and digits that cannot be mistaken for each other when read aloud or copied from paper (no 0/O, 1/l/I). */
const READABLE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password (16 characters, ≈ 92 bits), to be changed at the first log-in. */
export function oneTimePassword(): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += READABLE[randomInt(READABLE.length)];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`;
}

/** Why a new password is refused, or null. */
export function passwordProblem(password: string, minLength: number, name: string): string | null {
  if ([...password].length < minLength) return `パスワードは ${minLength} 文字以上にしてください (at least ${minLength} characters)`;
  if (password.toLowerCase().includes(name.toLowerCase()))
    return 'パスワードに利用者名を含めないでください (must not contain the user name)';
  if (new Set(password).size < 5) return '同じ文字の繰り返しは使えません (too few different characters)';
  return null;
}
