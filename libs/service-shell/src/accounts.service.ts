import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstTimestamp, parseJstTimestamp } from '@kansa/domain';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AccessAuditRepository, AuditActor, AuditEntry } from './access-audit.repository';
import { AddressThrottle } from './address-throttle';
import type { ApiClient } from './api-token';
import { decoyHash, hashPassword, oneTimePassword, passwordProblem, verifyPassword } from './password';
import { isPersonRole, PERSON_ROLES, PersonRole } from './permissions';
import { SessionRecord, SessionsRepository } from './sessions.repository';
import { UserRecord, UsersRepository } from './users.repository';

/** Where a request came from, for the audit log. */
export type RequestOrigin = Pick<AuditEntry, 'remoteAddr' | 'peerAddr' | 'userAgent'>;

/** A person's account as shown (never the hash). */
export interface UserView {
  userId: string;
  name: string;
  role: PersonRole;
  departments: string[];
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

/** A refused account operation: the HTTP status and a message for the person (日本語 (english)). */
export class AccountError extends HttpException {
  constructor(status: HttpStatus, message: string, code: string, retryAfterSeconds?: number) {
    super({ statusCode: status, error: code, message, ...(retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {}) }, status);
  }
}

export interface NewUser {
  name: string;
  role: string;
  departments?: readonly string[];
}

export interface LoggedIn {
  /** The cookie's value: shown to the browser once, stored only as its SHA-256. */
  sessionId: string;
  client: ApiClient;
}

const NAME = /^[^\s\p{C}][^\p{C}]{0,63}$/u;

/**
 * People's accounts and their console sessions (docs/console.md "Accounts
 * and sessions"): argon2id passwords, one-time passwords changed at the first
 * log-in, idle and absolute timeouts, lockout with back-off after repeated
 * failures, and every step in the audit log.
 */
@Injectable()
export class AccountsService {
  readonly throttle: AddressThrottle;

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly audit: AccessAuditRepository,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {
    this.throttle = new AddressThrottle(config.auth.maxFailuresPerAddressPerMinute);
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(view);
  }

  /** A new account with a one-time password (shown once; to be changed at the first log-in). */
  async add(input: NewUser, by: AuditActor, origin: RequestOrigin = {}): Promise<{ user: UserView; oneTimePassword: string }> {
    const name = input.name.trim();
    if (!NAME.test(name)) throw badRequest(`名前 "${input.name}" は使えません: 64 文字まで、空白で始めない (invalid name)`);
    const role = checkRole(input.role);
    const departments = checkDepartments(role, input.departments ?? []);
    if (await this.users.byName(name))
      throw new AccountError(HttpStatus.CONFLICT, `利用者 ${name} は既にあります (user exists)`, 'Conflict');
    const password = oneTimePassword();
    const now = jstTimestamp(Date.now());
    const user: UserRecord = {
      userId: randomUUID(),
      name,
      role,
      departments,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      updatedBy: by.name,
    };
    await this.users.save(user);
    await this.audit.record({ kind: 'user_change', actor: by, detail: { action: 'add', user: name, role, departments }, ...origin });
    return { user: view(user), oneTimePassword: password };
  }

  /** Changes role, departments or disabled; ends the person's sessions when the account is disabled or its role changes. */
  async update(
    userId: string,
    changes: { role?: string; departments?: readonly string[]; disabled?: boolean },
    by: AuditActor,
    origin: RequestOrigin = {},
  ): Promise<UserView> {
    const user = await this.mustGet(userId);
    const role = changes.role !== undefined ? checkRole(changes.role) : user.role;
    const departments = checkDepartments(role, changes.departments ?? user.departments);
    const disabled = changes.disabled ?? user.disabled;
    if (by.kind === 'person' && by.name === user.name && (disabled || role !== 'admin')) {
      throw badRequest('自分自身を無効にしたり管理者から外したりはできません (cannot lock yourself out)');
    }
    const next: UserRecord = { ...user, role, departments, disabled, updatedAt: this.nextStamp(user), updatedBy: by.name };
    await this.users.save(next);
    if (disabled || role !== user.role) await this.endSessionsOf(user.userId, disabled ? 'disabled' : 'role-changed');
    await this.audit.record({
      kind: 'user_change',
      actor: by,
      detail: {
        action: 'update',
        user: user.name,
        from: { role: user.role, departments: user.departments, disabled: user.disabled },
        to: { role, departments, disabled },
      },
      ...origin,
    });
    return view(next);
  }

  /** A new one-time password; unlocks the account and ends its sessions. */
  async resetPassword(userId: string, by: AuditActor, origin: RequestOrigin = {}): Promise<{ user: UserView; oneTimePassword: string }> {
    const user = await this.mustGet(userId);
    const password = oneTimePassword();
    const next: UserRecord = {
      ...user,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      updatedAt: this.nextStamp(user),
      updatedBy: by.name,
    };
    await this.users.save(next);
    await this.endSessionsOf(user.userId, 'password-reset');
    await this.audit.record({ kind: 'user_change', actor: by, detail: { action: 'reset-password', user: user.name }, ...origin });
    return { user: view(next), oneTimePassword: password };
  }

  /** Checks name and password; on success opens a session. Failures are recorded, counted per account (lockout) and per address (429). */
  async login(name: string, password: string, origin: RequestOrigin): Promise<LoggedIn> {
    const address = origin.remoteAddr ?? '';
    const wait = this.throttle.retryAfter(address);
    const who: AuditActor = { kind: 'person', name: name.slice(0, 64), role: '' };
    if (wait > 0) {
      await this.audit.record({
        kind: 'login_failure',
        actor: who,
        outcome: 'refused',
        detail: { reason: 'address-throttled' },
        ...origin,
      });
      throw new AccountError(
        HttpStatus.TOO_MANY_REQUESTS,
        `失敗が多すぎます。${wait} 秒後に再試行してください (too many failed attempts from this address)`,
        'Too Many Requests',
        wait,
      );
    }
    const user = await this.users.byName(name);
    const lockedFor = user ? await this.lockedSeconds(user) : 0;
    if (user && lockedFor > 0) {
      await this.audit.record({
        kind: 'login_failure',
        actor: { ...who, role: user.role },
        outcome: 'refused',
        detail: { reason: 'locked', seconds: lockedFor },
        ...origin,
      });
      throw new AccountError(
        HttpStatus.LOCKED,
        `ログインの失敗が続いたため、このアカウントは一時的にロックされています。約 ${Math.ceil(lockedFor / 60)} 分後に再試行するか、管理者に連絡してください (account locked)`,
        'Locked',
        lockedFor,
      );
    }
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !ok || user.disabled) {
      this.throttle.fail(address);
      const reason = !user ? 'unknown-user' : !ok ? 'wrong-password' : 'disabled';
      await this.audit.record({
        kind: 'login_failure',
        actor: { ...who, role: user?.role ?? who.role },
        outcome: 'failed',
        detail: { reason },
        ...origin,
      });
      throw new AccountError(HttpStatus.UNAUTHORIZED, '利用者名またはパスワードが違います (wrong name or password)', 'Unauthorized');
    }
    const sessionId = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: SessionRecord = {
      sessionHash: sessionHash(sessionId),
      userId: user.userId,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: jstTimestamp(now),
      lastSeenAt: jstTimestamp(now),
      endedAt: null,
      endReason: '',
      remoteAddr: address,
      userAgent: origin.userAgent ?? '',
    };
    await this.sessions.save(session);
    const client = this.clientOf(user, session);
    await this.audit.record({ kind: 'login', actor: client, ...origin });
    return { sessionId, client };
  }

  /**
   * The person behind a session cookie; 401 (naming why) when there is none,
   * it ended, or it is past its idle or absolute timeout (then it is ended
   * and the expiry recorded). Use moves the idle timeout.
   */
  async authenticate(sessionId: string, origin: RequestOrigin): Promise<ApiClient> {
    const hash = sessionHash(sessionId);
    const session = await this.sessions.get(hash);
    if (!session) throw sessionError('ログインしてください (no session)', 'no-session');
    if (session.endedAt) throw sessionError('セッションは終了しています。もう一度ログインしてください (session ended)', 'session-ended');
    const now = Date.now();
    const user = await this.users.byId(session.userId);
    const idle = now - parseJstTimestamp(session.lastSeenAt) > this.config.auth.sessionIdleSeconds * 1000;
    const absolute = now - parseJstTimestamp(session.createdAt) > this.config.auth.sessionMaxSeconds * 1000;
    if (!user || user.disabled || idle || absolute) {
      const reason = !user || user.disabled ? 'disabled' : idle ? 'idle-timeout' : 'absolute-timeout';
      await this.end(session, reason);
      if (user) await this.audit.record({ kind: 'session_expired', actor: this.clientOf(user, session), detail: { reason }, ...origin });
      throw sessionError(
        reason === 'disabled'
          ? 'このアカウントは使えません (account disabled)'
          : '一定時間操作がなかったか、ログインから時間が経ったため、セッションが切れました。もう一度ログインしてください (session expired)',
        'session-expired',
      );
    }
    // The idle clock moves with use; written at most every quarter of the idle timeout (and every minute at most).
    const touchEveryMs = Math.min(60_000, (this.config.auth.sessionIdleSeconds * 1000) / 4);
    if (now - parseJstTimestamp(session.lastSeenAt) > touchEveryMs) {
      session.lastSeenAt = jstTimestamp(now);
      await this.sessions.save(session);
    }
    return this.clientOf(user, session);
  }

  async logout(client: ApiClient, origin: RequestOrigin): Promise<void> {
    if (!client.session) return;
    const session = await this.sessions.get(client.session.hash);
    if (session && !session.endedAt) await this.end(session, 'logout');
    await this.audit.record({ kind: 'logout', actor: client, ...origin });
  }

  /** Changes one's own password (the current one is required); other sessions of the person end. */
  async changePassword(client: ApiClient, current: string, next: string, origin: RequestOrigin): Promise<ApiClient> {
    const user = await this.mustGet(client.userId ?? '');
    if (!(await verifyPassword(user.passwordHash, current))) {
      this.throttle.fail(origin.remoteAddr ?? '');
      await this.audit.record({
        kind: 'password_change',
        actor: client,
        outcome: 'failed',
        detail: { reason: 'wrong-current' },
        ...origin,
      });
      throw badRequest('現在のパスワードが違います (current password is wrong)');
    }
    const problem =
      passwordProblem(next, this.config.auth.passwordMinLength, user.name) ??
      (next === current ? '今と同じパスワードは使えません (same as the current one)' : null);
    if (problem) throw badRequest(problem);
    await this.users.save({
      ...user,
      passwordHash: await hashPassword(next),
      mustChangePassword: false,
      updatedAt: this.nextStamp(user),
      updatedBy: user.name,
    });
    for (const s of await this.sessions.openOf(user.userId))
      if (s.sessionHash !== client.session?.hash) await this.end(s, 'password-changed');
    await this.audit.record({ kind: 'password_change', actor: client, ...origin });
    return { ...client, session: client.session && { ...client.session, mustChangePassword: false } };
  }

  /** The CSRF check of a person's unsafe request: the header must carry the session's token. */
  static csrfMatches(client: ApiClient, presented: string | undefined): boolean {
    const expected = client.session?.csrfToken;
    if (!expected || !presented) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Seconds the account stays locked (0: not locked): after maxFailedLogins consecutive failures, doubling per further failure. */
  private async lockedSeconds(user: UserRecord): Promise<number> {
    const { maxFailedLogins, lockoutSeconds, lockoutMaxSeconds } = this.config.auth;
    const now = Date.now();
    const since = Math.max(parseJstTimestamp(user.updatedAt), now - 24 * 3600_000);
    const outcomes = await this.audit.loginOutcomes(user.name, since);
    let failures = 0;
    let lastFailure = 0;
    for (const o of outcomes) {
      if (o.kind === 'login') break;
      if (o.detail.includes('"locked"') || o.detail.includes('address-throttled')) continue;
      failures++;
      lastFailure ||= parseJstTimestamp(o.at);
    }
    if (failures < maxFailedLogins) return 0;
    const lockMs = Math.min(lockoutMaxSeconds, lockoutSeconds * 2 ** (failures - maxFailedLogins)) * 1000;
    return Math.max(0, Math.ceil((lastFailure + lockMs - now) / 1000));
  }

  private async end(session: SessionRecord, reason: string): Promise<void> {
    const now = jstTimestamp(Date.now());
    await this.sessions.save({ ...session, lastSeenAt: now, endedAt: now, endReason: reason });
  }

  private async endSessionsOf(userId: string, reason: string): Promise<void> {
    for (const s of await this.sessions.openOf(userId)) await this.end(s, reason);
  }

  private clientOf(user: UserRecord, session: SessionRecord): ApiClient {
    const idleEnd = parseJstTimestamp(session.lastSeenAt) + this.config.auth.sessionIdleSeconds * 1000;
    const absoluteEnd = parseJstTimestamp(session.createdAt) + this.config.auth.sessionMaxSeconds * 1000;
    return {
      kind: 'person',
      name: user.name,
      role: user.role,
      userId: user.userId,
      departments: user.departments,
      session: {
        hash: session.sessionHash,
        csrfToken: session.csrfToken,
        mustChangePassword: user.mustChangePassword,
        expiresAt: jstTimestamp(Math.min(idleEnd, absoluteEnd)),
      },
    };
  }

  private async mustGet(userId: string): Promise<UserRecord> {
    const user = userId ? await this.users.byId(userId) : null;
    if (!user) throw new AccountError(HttpStatus.NOT_FOUND, '利用者が見つかりません (user not found)', 'Not Found');
    return user;
  }

  /** A change's time: after the account's last change, so that the latest row is the newest. */
  private nextStamp(user: UserRecord): string {
    return jstTimestamp(Math.max(Date.now(), parseJstTimestamp(user.updatedAt) + 1));
  }
}

export function sessionHash(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

function view(u: UserRecord): UserView {
  const { passwordHash: _h, ...rest } = u;
  return rest;
}

function badRequest(message: string): AccountError {
  return new AccountError(HttpStatus.BAD_REQUEST, message, 'Bad Request');
}

function sessionError(message: string, code: string): AccountError {
  return new AccountError(HttpStatus.UNAUTHORIZED, message, code);
}

function checkRole(role: string): PersonRole {
  if (!isPersonRole(role)) throw badRequest(`役割 "${role}" はありません: ${PERSON_ROLES.join(', ')} (unknown role)`);
  return role;
}

function checkDepartments(role: PersonRole, departments: readonly string[]): string[] {
  const list = [...new Set(departments.map((d) => d.trim()).filter(Boolean))];
  for (const d of list) if (!/^[A-Za-z0-9_-]{1,32}$/.test(d)) throw badRequest(`所属コード "${d}" が不正です (invalid department code)`);
  if (role === 'reviewer' && list.length === 0) {
    throw badRequest('確認者 (reviewer) には担当の所属コードを 1 つ以上指定してください (a reviewer needs --department)');
  }
  return role === 'reviewer' ? list : [];
}
