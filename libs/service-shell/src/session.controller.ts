import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { requestOrigin } from './access-audit.repository';
import { AccountsService } from './accounts.service';
import type { AuthedRequest } from './api-auth.guard';
import { ApiJson, ApiJsonBody } from './api-json';
import { parseOr400 } from './api-params';
import type { ApiClient } from './api-token';
import { PublicRoute, RequirePermission, SESSION_COOKIE } from './auth.decorators';
import { PERMISSIONS, ROLE_PERMISSIONS } from './permissions';

const loginBody = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
const passwordBody = z.object({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) }).strict();

export const sessionSchema = z.object({
  name: z.string(),
  role: z.string(),
  departments: z.array(z.string()),
  permissions: z.array(z.enum(PERMISSIONS)),
  csrfToken: z.string(),
  mustChangePassword: z.boolean(),
  /** When the session ends unless used again (JST). */
  expiresAt: z.string(),
});
export type SessionView = z.infer<typeof sessionSchema>;

/**
 * The console's log-in: POST /api/session sets the session cookie (HttpOnly,
 * SameSite=Strict, Secure over TLS); the answer carries the CSRF token the
 * console sends back in X-CSRF-Token with every change.
 */
@ApiTags('session')
@Controller('api/session')
export class SessionController {
  constructor(private readonly accounts: AccountsService) {}

  @PublicRoute()
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'ログイン (利用者名とパスワード)。失敗は記録され、続くとロックされます' })
  @ApiJsonBody(loginBody)
  @ApiJson(sessionSchema)
  async login(@Body() body: unknown, @Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response): Promise<SessionView> {
    const b = parseOr400(loginBody, body);
    const { sessionId, client } = await this.accounts.login(b.name, b.password, requestOrigin(req));
    res.cookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    return sessionView(client);
  }

  @RequirePermission('self')
  @Get()
  @ApiOperation({ summary: 'ログイン中の利用者・権限・CSRF トークン' })
  @ApiJson(sessionSchema)
  me(@Req() req: AuthedRequest): SessionView {
    return sessionView(req.apiClient!);
  }

  @RequirePermission('self')
  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'ログアウト' })
  async logout(@Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.accounts.logout(req.apiClient!, requestOrigin(req));
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
  }

  @RequirePermission('self')
  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: '自分のパスワードの変更 (初回ログイン時は必須)' })
  @ApiJsonBody(passwordBody)
  @ApiJson(sessionSchema)
  async changePassword(@Body() body: unknown, @Req() req: AuthedRequest): Promise<SessionView> {
    const b = parseOr400(passwordBody, body);
    return sessionView(await this.accounts.changePassword(req.apiClient!, b.current, b.next, requestOrigin(req)));
  }
}

export function sessionView(client: ApiClient): SessionView {
  return {
    name: client.name,
    role: client.role,
    departments: [...(client.departments ?? [])],
    permissions: [...ROLE_PERMISSIONS[client.role]],
    csrfToken: client.session?.csrfToken ?? '',
    mustChangePassword: client.session?.mustChangePassword ?? false,
    expiresAt: client.session?.expiresAt ?? '',
  };
}
