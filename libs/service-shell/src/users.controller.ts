import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_ROLES, KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { z } from 'zod';
import { requestOrigin } from './access-audit.repository';
import { AccountsService, UserView } from './accounts.service';
import type { AuthedRequest } from './api-auth.guard';
import { ApiJson, ApiJsonBody } from './api-json';
import { parseOr400 } from './api-params';
import { RequirePermission } from './auth.decorators';
import { PERSON_ROLES } from './permissions';

export const userSchema = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(PERSON_ROLES),
  departments: z.array(z.string()),
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
const userWithPasswordSchema = z.object({ user: userSchema, oneTimePassword: z.string() });
const newUserBody = z
  .object({ name: z.string().min(1).max(64), role: z.enum(PERSON_ROLES), departments: z.array(z.string()).max(50).default([]) })
  .strict();
const updateUserBody = z
  .object({ role: z.enum(PERSON_ROLES).optional(), departments: z.array(z.string()).max(50).optional(), disabled: z.boolean().optional() })
  .strict();
const tokenSchema = z.object({ name: z.string(), role: z.enum(API_ROLES), sources: z.array(z.string()) });

/** People's accounts (admin): list, add (one-time password), change role/departments, disable, reset the password. */
@ApiTags('users')
@Controller('api')
export class UsersController {
  constructor(
    private readonly accounts: AccountsService,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  @RequirePermission('users.manage')
  @Get('users')
  @ApiOperation({ summary: '利用者の一覧 (admin)' })
  @ApiJson(z.array(userSchema))
  list(): Promise<UserView[]> {
    return this.accounts.list();
  }

  @RequirePermission('users.manage')
  @Post('users')
  @ApiOperation({ summary: '利用者の追加 (admin): 一時パスワードを一度だけ返します' })
  @ApiJsonBody(newUserBody)
  @ApiJson(userWithPasswordSchema, 201)
  add(@Body() body: unknown, @Req() req: AuthedRequest): Promise<{ user: UserView; oneTimePassword: string }> {
    return this.accounts.add(parseOr400(newUserBody, body), req.apiClient!, requestOrigin(req));
  }

  @RequirePermission('users.manage')
  @Patch('users/:userId')
  @ApiOperation({ summary: '役割・担当所属の変更、無効化 (admin)' })
  @ApiJsonBody(updateUserBody)
  @ApiJson(userSchema)
  update(@Param('userId') userId: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<UserView> {
    return this.accounts.update(userId, parseOr400(updateUserBody, body), req.apiClient!, requestOrigin(req));
  }

  @RequirePermission('users.manage')
  @Post('users/:userId/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: '一時パスワードの再発行とロック解除 (admin)' })
  @ApiJson(userWithPasswordSchema)
  reset(@Param('userId') userId: string, @Req() req: AuthedRequest): Promise<{ user: UserView; oneTimePassword: string }> {
    return this.accounts.resetPassword(userId, req.apiClient!, requestOrigin(req));
  }

  /** The configured API tokens (names, roles, sources; never their hashes). Tokens are made with `kansa token create`. */
  @RequirePermission('users.manage')
  @Get('tokens')
  @ApiOperation({ summary: '設定されている API トークン (名前・役割・送信元; admin)' })
  @ApiJson(z.array(tokenSchema))
  tokens(): Array<z.infer<typeof tokenSchema>> {
    return this.config.http.tokens.map((t) => ({ name: t.name, role: t.role, sources: [...(t.sources ?? [])] }));
  }
}
