import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Permission } from './permissions';

export const REQUIRED_PERMISSION = 'kansa:required-permission';
export const PUBLIC_ROUTE = 'kansa:public-route';
export const SESSION_COOKIE = 'kansa_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The permission a route needs (the matrix: permissions.ts). A route with
 * neither this nor @PublicRoute() is refused to everyone.
 */
export function RequirePermission(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ApiExtension('x-kansa-permission', permission),
    ApiBearerAuth(),
    ApiCookieAuth(SESSION_COOKIE),
    ApiUnauthorizedResponse({ description: '認証されていない (missing or invalid token, no session or session expired)' }),
    ApiForbiddenResponse({ description: `権限 ${permission} が必要、または CSRF トークンがない (permission ${permission} required)` }),
  );
}

/** GET /health and the log-in: no personal data, no session yet. */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension('x-kansa-permission', 'public'));
}
