import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiRole } from '@kansa/config';

export const REQUIRED_ROLE = 'kansa:required-role';
export const PUBLIC_ROUTE = 'kansa:public-route';

/** The role a route needs. A route with neither this nor @PublicRoute() is refused to everyone. */
export function RequireRole(role: ApiRole): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    ApiExtension('x-kansa-role', role),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'トークンがない、または無効 (missing or invalid token)' }),
    ApiForbiddenResponse({ description: `ロール ${role} が必要 (role ${role} required)` }),
  );
}

/** Only GET /health: liveness and readiness carry no personal data. */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension('x-kansa-role', 'public'));
}
