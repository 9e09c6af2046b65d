import { Command, Option } from 'commander';
import { AccountsService, PERSON_ROLE_TITLES, PERSON_ROLES, UserView } from '@kansa/service-shell';
import { HttpException } from '@nestjs/common';
import { CommandContext } from '../context';
import { UserError } from '../errors';
import { cliActor } from './cli-actor';

/**
 * `kansa user add --name N --role R [--department C,…]`, `kansa user list`,
 * `kansa user reset-password --name N`: people's accounts of the console. A
 * new account (the first admin too) gets a one-time password, printed once,
 * to be changed at the first log-in.
 */
export function registerUserCommand(program: Command, ctx: () => CommandContext): void {
  const user = program.command('user').description("管理画面の利用者 (people's console accounts)");
  user
    .command('add')
    .description('利用者を追加し、一時パスワードを表示する (初回ログインで変更が必要)')
    .requiredOption('--name <name>', 'ログインに使う名前 (例: 山田)')
    .addOption(
      new Option('--role <role>', PERSON_ROLES.map((r) => `${r} (${PERSON_ROLE_TITLES[r]})`).join(' | '))
        .choices([...PERSON_ROLES])
        .makeOptionMandatory(),
    )
    .option('--department <codes>', '確認者 (reviewer) が担当する所属コード (カンマ区切り)', '')
    .action(async (opts: { name: string; role: string; department: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const made = await accountCall(() =>
          app.get(AccountsService).add({ name: opts.name, role: opts.role, departments: opts.department.split(',') }, cliActor()),
        );
        c.print(oneTimePasswordText(made.user, made.oneTimePassword), made);
      });
    });
  user
    .command('list')
    .description('利用者の一覧')
    .action(async () => {
      const c = ctx();
      await c.withApp(async (app) => {
        const users = await app.get(AccountsService).list();
        c.print(
          users.length
            ? users
                .map((u) =>
                  [u.name, u.role, u.departments.join(','), u.disabled ? '無効' : '', u.mustChangePassword ? '一時パスワード' : '']
                    .filter(Boolean)
                    .join('  '),
                )
                .join('\n')
            : '利用者はいません。`kansa user add --name <名前> --role admin` で最初の管理者を作ってください',
          users,
        );
      });
    });
  user
    .command('reset-password')
    .description('一時パスワードを再発行し、ロックを解除する')
    .requiredOption('--name <name>', '利用者名')
    .action(async (opts: { name: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const accounts = app.get(AccountsService);
        const found = (await accounts.list()).find((u) => u.name === opts.name);
        if (!found) throw new UserError(`--name ${opts.name}: 利用者が見つかりません (no such user)`);
        const made = await accountCall(() => accounts.resetPassword(found.userId, cliActor()));
        c.print(oneTimePasswordText(made.user, made.oneTimePassword), made);
      });
    });
}

export function oneTimePasswordText(user: UserView, password: string): string {
  return [
    `利用者 ${user.name} (${user.role}${user.departments.length ? `: ${user.departments.join(', ')}` : ''})`,
    `一時パスワード (この画面でのみ表示されます。初回ログインで変更が必要です):`,
    `  ${password}`,
  ].join('\n');
}

/** An account operation's refusal as the command's one-line reason. */
async function accountCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpException) throw new UserError((err.getResponse() as { message: string }).message);
    throw err;
  }
}
