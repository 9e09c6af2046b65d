import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import type { Request } from 'express';
import { AccessAuditRepository, requestOrigin } from './access-audit.repository';
import { AccountsService } from './accounts.service';
import { ApiClient, bearerToken, findClient } from './api-token';
import { CSRF_HEADER, PUBLIC_ROUTE, REQUIRED_PERMISSION, SESSION_COOKIE } from './auth.decorators';
import { Permission, roleHas } from './permissions';

export type AuthedRequest = Request & { apiClient?: ApiClient };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: every route needs a machine's API token (Bearer) or a
 * person's session (cookie) whose role has the route's permission, except
 * routes marked @PublicRoute(). A route that declares no permission is
 * refused (deny by default), so a forgotten decorator never opens data. A
 * person's unsafe request (POST, PATCH, DELETE) must carry the session's CSRF
 * token in X-CSRF-Token; a person holding a one-time password may only change
 * it. Failed authentications are recorded and counted per address (429).
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly accounts: AccountsService,
    private readonly audit: AccessAuditRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const client = await this.identify(req);
    const need = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (!need || !roleHas(client.role, need)) {
      throw new ForbiddenException(
        `この操作は役割 ${client.role} には許可されていません (permission ${need ?? '(none)'} required; ${client.name} has role ${client.role})`,
      );
    }
    if (client.kind === 'person') {
      if (!SAFE_METHODS.has(req.method) && !AccountsService.csrfMatches(client, header(req, CSRF_HEADER))) {
        throw new ForbiddenException({
          statusCode: 403,
          error: 'csrf',
          message: 'CSRF トークンがないか一致しません。画面を読み込み直してください (CSRF token missing or wrong)',
        });
      }
      if (client.session?.mustChangePassword && need !== 'self') {
        throw new ForbiddenException({
          statusCode: 403,
          error: 'password-change-required',
          message: '初回ログインのため、パスワードを変更してください (change the one-time password first)',
        });
      }
    }
    req.apiClient = client;
    return true;
  }

  /** The caller: a token (Authorization) or a session (cookie); 401 when neither holds, 429 after too many failures. */
  private async identify(req: AuthedRequest): Promise<ApiClient> {
    const origin = requestOrigin(req);
    const address = origin.remoteAddr ?? '';
    const wait = this.accounts.throttle.retryAfter(address);
    if (wait > 0) {
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `認証の失敗が多すぎます。${wait} 秒後に再試行してください (too many failed authentications)`,
          retryAfter: wait,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const token = bearerToken(authorization);
      const client = token ? findClient(this.config.http.tokens, token) : null;
      if (client) return client;
      this.accounts.throttle.fail(address);
      await this.audit.record({
        kind: 'auth_failure',
        actor: { kind: 'token', name: '(unknown token)', role: 'read' },
        outcome: 'failed',
        method: req.method,
        path: req.path,
        ...origin,
      });
      throw new UnauthorizedException(
        token ? 'トークンが無効です (unknown token)' : '認証が必要です: Authorization: Bearer <token> を付けてください (token required)',
      );
    }
    const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (sessionId) return this.accounts.authenticate(sessionId, origin);
    throw new UnauthorizedException(
      '認証が必要です: ログインするか、Authorization: Bearer <token> を付けてください (login or token required)',
    );
  }
}

/** The client of a request's Authorization header (API tokens only: the OpenAPI description); 401 when there is none or it is unknown. */
export function authenticate(config: KansaConfig, header: string | undefined): ApiClient {
  const token = bearerToken(header);
  if (!token) throw new UnauthorizedException('認証が必要です: Authorization: Bearer <token> を付けてください (token required)');
  const client = findClient(config.http.tokens, token);
  if (!client) throw new UnauthorizedException('トークンが無効です (unknown token)');
  return client;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
