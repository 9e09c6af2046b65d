import { Command, Option } from 'commander';
import { API_ROLES, ApiRole } from '@kansa/config';
import { generateToken, hashToken } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/**
 * `kansa token create --name N --role R [--sources S,…]`: a new API token, shown once, and
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
    .option(
      '--sources <list>',
      'ingest: 送ってよい送信元システム (カンマ区切り、例: jumin)。canonical の各行もこの中の source に限られます',
      '',
    )
    .action((opts: { name: string; role: ApiRole; sources: string }) => {
      const c = ctx();
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name)) {
        throw new UserError(`--name ${opts.name}: 英数字と . _ - で 64 文字まで (letters, digits, ".", "_", "-")`);
      }
      const sources = [
        ...new Set(
          opts.sources
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const known = Object.keys(c.config.sources);
      const unknown = sources.filter((s) => !known.includes(s));
      if (unknown.length) throw new UserError(`--sources: 設定にない送信元です: ${unknown.join(', ')} (known: ${known.join(', ')})`);
      if (opts.role === 'ingest' && sources.length === 0) {
        throw new UserError('--sources: ingest トークンには送ってよい送信元を指定してください (e.g. --sources jumin)');
      }
      if (opts.role !== 'ingest' && sources.length > 0) throw new UserError('--sources は ingest トークンにだけ指定できます');
      const secret = generateToken();
      const sha256 = hashToken(secret);
      c.print(
        [
          `トークン (この画面でのみ表示されます。送信側・利用者に安全な方法で渡してください):`,
          `  ${secret}`,
          `設定ファイル (http.tokens) に次を追加してください:`,
          `  - { name: ${opts.name}, role: ${opts.role}, ${sources.length ? `sources: [${sources.join(', ')}], ` : ''}sha256: ${sha256} }`,
        ].join('\n'),
        { name: opts.name, role: opts.role, sources, token: secret, sha256 },
      );
    });
}
