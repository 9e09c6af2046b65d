import { Command, Option } from 'commander';
import { describeTarget, StorageUnavailableError } from '@kansa/storage';
import { AccountsService, closeOnSignals, ServiceModule, startHttpService } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { UserError } from '../errors';

interface ServeOptions {
  only?: 'collector' | 'analyzer';
  port?: string;
  host?: string;
}

/**
 * `kansa serve`: the service. Embedded mode runs collector and analyzer in
 * this one process (one data directory belongs to one process); with a
 * ClickHouse server, `--only collector|analyzer` runs one part, so collectors
 * can be added for load.
 */
export function registerServeCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('serve')
    .description('サービスとして動かす: HTTP API・ログ受信・定期分析・アラート (run the service)')
    .addOption(new Option('--only <part>', 'この部分だけ動かす (ClickHouse サーバー利用時のみ)').choices(['collector', 'analyzer']))
    .option('--port <port>', 'HTTP ポート (http.port)')
    .option('--host <address>', '待ち受けアドレス (http.host, 既定 127.0.0.1)')
    .action(async (opts: ServeOptions) => {
      const c = ctx();
      const config = c.config;
      if (opts.only && !config.storage.url) {
        throw new UserError(
          `--only ${opts.only}: 組み込み (embedded) モードではデータディレクトリを 1 つのプロセスしか開けないため、collector と analyzer を分けられません。` +
            '`kansa serve` で両方を動かすか、ClickHouse サーバー (CLICKHOUSE_URL) を設定してください ' +
            '(in embedded mode one process owns the data directory: run both, or use a ClickHouse server)',
        );
      }
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new UserError(`--port ${opts.port}: 0〜65535 の整数を指定してください (invalid port)`);
      }
      // Loaded here: other commands do not pay for the service's modules.
      const { collectorServiceFeatures } = await import('@kansa/collector/main');
      const { analyzerServiceFeatures } = await import('@kansa/analyzer/main');
      const features = [
        ...(opts.only !== 'analyzer' ? collectorServiceFeatures(config) : []),
        ...(opts.only !== 'collector' ? analyzerServiceFeatures(config) : []),
      ];
      let service;
      try {
        service = await startHttpService(ServiceModule.forRoot(config, features), config, { port, host: opts.host });
      } catch (err) {
        if (err instanceof StorageUnavailableError) throw new UserError(err.message, 1);
        throw err;
      }
      const log = (line: string) => c.err.write(`kansa: ${line}\n`);
      const part = opts.only ?? 'collector + analyzer';
      c.print(`kansa serve (${part}): ${service.url} — 保存先 ${describeTarget(config.storage)}`, {
        url: service.url,
        parts: opts.only ? [opts.only] : ['collector', 'analyzer'],
        storage: describeTarget(config.storage),
      });
      if (config.http.tokens.length === 0) {
        log(
          'http.tokens に API トークンがありません: 送信システムなど機械からの要求はすべて拒否します (no API tokens: `kansa token create`)',
        );
      }
      if (opts.only !== 'collector' && (await service.app.get(AccountsService).list()).length === 0) {
        log(
          `管理画面 ${service.url}/ の利用者がいません。最初の管理者を kansa user add --name <名前> --role admin で作ってください` +
            `${config.storage.url ? '' : ' (組み込みモードでは、このサービスを止めてから実行します)'} (no console users yet)`,
        );
      }
      let outcome;
      try {
        outcome = await closeOnSignals(service, config.http.shutdownGraceMs, log);
      } catch (err) {
        throw new UserError(`停止処理が終わりませんでした (shutdown failed): ${(err as Error).message}`, 1);
      }
      const { ingest, api } = outcome.interrupted;
      if (ingest + api > 0) {
        throw new UserError(
          `停止しました。猶予時間内に終わらなかった要求 ${ingest + api} 件 (うち受信 ${ingest} 件) の接続を閉じました。` +
            `応答していないため送信側が再送します (stopped; ${ingest} ingest and ${api} other requests interrupted, never acknowledged)`,
          1,
        );
      }
      log('停止しました (stopped)');
    });
}
