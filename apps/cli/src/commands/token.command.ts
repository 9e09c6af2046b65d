import { Command, Option } from 'commander';
import { API_ROLES, ApiRole } from '@kansa/config';
import { generateToken, hashToken } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/**
 * `kansa token create --name N --role R`: a new API token, shown once, and
 * the configuration entry (only its SHA-256 is kept in configuration).
 */
export function registerTokenCommand(program: Command, ctx: () => CommandContext): void {
  const token = program.command('token').description('API トークンの管理 (API tokens)');
  token
    .command('create')
    .description('新しい API トークンを作る: トークンは一度だけ表示され、設定にはハッシュだけを書きます')
    .requiredOption('--name <name>', '持ち主 (職員ID やシステム名): 監査記録と確認者欄に残ります')
    .addOption(
      new Option('--role <role>', 'ingest (送信システム) | read (閲覧) | triage (閲覧と確認)')
        .choices([...API_ROLES])
        .makeOptionMandatory(),
    )
    .action((opts: { name: string; role: ApiRole }) => {
      const c = ctx();
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name)) {
        throw new UserError(`--name ${opts.name}: 英数字と . _ - で 64 文字まで (letters, digits, ".", "_", "-")`);
      }
      const secret = generateToken();
      const sha256 = hashToken(secret);
      c.print(
        [
          `トークン (この画面でのみ表示されます。送信側・利用者に安全な方法で渡してください):`,
          `  ${secret}`,
          `設定ファイル (http.tokens) に次を追加してください:`,
          `  - { name: ${opts.name}, role: ${opts.role}, sha256: ${sha256} }`,
        ].join('\n'),
        { name: opts.name, role: opts.role, token: secret, sha256 },
      );
    });
}
