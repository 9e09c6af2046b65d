import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { KANSA_CONFIG, KansaConfig, type ApiRole } from '@kansa/config';
import type { Request } from 'express';
import { ApiClient, bearerToken, findClient, roleAllows } from './api-token';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';

export type AuthedRequest = Request & { apiClient?: ApiClient };

/**
 * Global guard: every route needs a configured token with the route's role,
 * except routes marked @PublicRoute(). A route that declares no role is
 * refused (deny by default), so a forgotten decorator never opens data.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const client = authenticate(this.config, req.headers.authorization);
    const need = this.reflector.getAllAndOverride<ApiRole | undefined>(REQUIRED_ROLE, targets);
    if (!need || !roleAllows(client.role, need)) {
      throw new ForbiddenException(
        `この操作にはロール ${need ?? '(なし)'} のトークンが必要です (token ${client.name} has role ${client.role})`,
      );
    }
    req.apiClient = client;
    return true;
  }
}

/** The client of a request's Authorization header; 401 when there is none or it is unknown. */
export function authenticate(config: KansaConfig, header: string | undefined): ApiClient {
  const token = bearerToken(header);
  if (!token) throw new UnauthorizedException('認証が必要です: Authorization: Bearer <token> を付けてください (token required)');
  const client = findClient(config.http.tokens, token);
  if (!client) throw new UnauthorizedException('トークンが無効です (unknown token)');
  return client;
}
