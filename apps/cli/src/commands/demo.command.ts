import { formatCount } from '@kansa/domain';
import { previousMonth } from '@kansa/calendar';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { resolve } from 'node:path';
import { BatchLedgerRepository } from '@kansa/integrity';
import { CLOCK, Clock, jstDay } from '@kansa/analyzer/core/clock';
import type { AnalyzeResult } from '@kansa/analyzer/detection/analysis.service';
import type { FindingView } from '@kansa/analyzer/findings/findings.types';
import { AccountsService, PersonRole } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { formatDemoCasework } from './demo-casework';
import { formatDemoExplanations } from './demo-explanations';
import { UserError } from '../errors';
import { applyDemoCity, DemoImportSummary, Planted, runDemo } from './demo-run';
import { cliActor } from './cli-actor';

interface DemoOptions {
  month?: string;
  staff: number;
  out: string;
  seed: string;
}

/** `kansa demo`: generate a realistic month, load masters, import, analyse, summarise per rule. */
export function registerDemoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('demo')
    .description('架空の市の1か月分のログとマスタを生成し、取り込み・分析して、ルールごとの検知結果を表示する')
    .option('--month <YYYY-MM>', '対象月（既定: 先月）')
    .option('--staff <n>', '職員数（40 以上）', (v) => Number(v), 300)
    .option('--out <dir>', '生成したファイルの出力先', './demo')
    .option('--seed <text>', '乱数の種（同じ種なら同じデータ）', 'kansa')
    .action(async (opts: DemoOptions) => {
      const c = ctx();
      if (!Number.isInteger(opts.staff) || opts.staff < 40) throw new UserError('--staff: expected an integer ≥ 40 (職員数が不正です)');
      if (opts.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.month)) {
        throw new UserError(`--month: "${opts.month}" is not a month YYYY-MM (対象月の形式が不正です)`);
      }
      const outDir = resolve(opts.out);
      await c.withApp(
        async (app) => {
          // The sample city's settings once started: the configuration the audit trail compares at start-up is the file's.
          applyDemoCity(c.config);
          const month = opts.month ?? previousMonth(jstDay(app.get<Clock>(CLOCK).now()));
          await refuseForeignData(app, outDir);
          const say = (line: string) => c.err.write(line + '\n');
          const progress = (done: number, total: number) => {
            if (c.err.isTTY) c.err.write(`\r    ${done}/${total} ファイル${done === total ? '\n' : ''}`);
          };
          const { imported, history, result, findings, planted, casework, explanations, report } = await runDemo(app, {
            outDir,
            month,
            staff: opts.staff,
            seed: opts.seed,
            say,
            progress,
          });
          const files = report.files.map((f) => ({ format: f.format, path: f.path }));
          const people = await demoPeople(app);
          c.print(
            [
              formatDemoSummary(month, imported, result, findings, planted),
              ...formatDemoExplanations(explanations),
              ...formatDemoCasework(casework),
              '',
              '報告書:',
              ...files.map((f) => `  ${f.path}`),
              '',
              ...consoleHowTo(c.globals.dataDir, c.config.http.host, c.config.http.port, month, people),
            ].join('\n'),
            {
              month,
              outDir,
              imported,
              importedHistory: history,
              analysis: result,
              planted: plantedStatus(findings, planted),
              explanations,
              casework,
              report: files,
              console: { url: consoleUrl(c.config.http.host, c.config.http.port), people },
            },
          );
        },
        { collector: true },
      );
    });
}

/** The demo's people: an administrator and an officer (who triages), each with a new one-time password at every run. */
const DEMO_PEOPLE: Array<{ name: string; role: PersonRole }> = [
  { name: 'demo-admin', role: 'admin' },
  { name: 'demo-officer', role: 'officer' },
];

async function demoPeople(app: INestApplicationContext): Promise<Array<{ name: string; role: string; oneTimePassword: string }>> {
  const accounts = app.get(AccountsService);
  const existing = await accounts.list();
  const out = [];
  for (const p of DEMO_PEOPLE) {
    const found = existing.find((u) => u.name === p.name);
    const made = found ? await accounts.resetPassword(found.userId, cliActor()) : await accounts.add(p, cliActor());
    out.push({ name: p.name, role: p.role, oneTimePassword: made.oneTimePassword });
  }
  return out;
}

function consoleUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** How to open the console on the demo data: the command, the URL, the demo people and their one-time passwords. */
function consoleHowTo(
  dataDir: string | undefined,
  host: string,
  port: number,
  month: string,
  people: Array<{ name: string; role: string; oneTimePassword: string }>,
): string[] {
  return [
    '管理画面 (console) でデモのデータを見るには:',
    `  npx kansa serve${dataDir ? ` --data-dir ${dataDir}` : ''}`,
    `  ブラウザで ${consoleUrl(host, port)} を開き、次の利用者でログインしてください (一時パスワードは初回ログインで変更します):`,
    ...people.map((p) => `    ${p.name.padEnd(13)} ${p.role.padEnd(8)} 一時パスワード ${p.oneTimePassword}`),
    `  デモの月のダッシュボード: ${consoleUrl(host, port)}?month=${month}`,
    `  （デモのログは ${month} まで。サービスは昨日までの日を分析するので、その後の開庁日は「ログの欠損」として検知されます）`,
  ];
}

/**
 * The demo never mixes into real data: a data directory that already holds
 * logs imported from elsewhere is refused. Running the demo again on its own
 * data is harmless (same files: duplicates; same findings: replaced).
 */
async function refuseForeignData(app: INestApplicationContext, outDir: string): Promise<void> {
  const foreign = await app.get(BatchLedgerRepository).importedOutside(outDir);
  if (foreign.batches > 0) {
    throw new UserError(
      `this data directory already holds logs imported from elsewhere (e.g. ${foreign.example}); run the demo with --data-dir <empty folder> ` +
        '(デモ以外のデータがあるため中止しました。--data-dir で空のフォルダを指定してください)',
    );
  }
}

function plantedStatus(findings: FindingView[], planted: Planted[]): Array<Planted & { found: boolean }> {
  return planted.map((p) => ({
    ...p,
    found: findings.some(
      (f) =>
        f.rule === p.rule && (!p.day || f.day === p.day) && (!p.userId || f.userId === p.userId) && (!p.subject || f.subject === p.subject),
    ),
  }));
}

function formatDemoSummary(
  month: string,
  imported: DemoImportSummary,
  result: AnalyzeResult,
  findings: FindingView[],
  planted: Planted[],
): string {
  const status = plantedStatus(findings, planted);
  const lines = [
    '',
    `デモ ${month}: ログ ${formatCount(imported.stored)} 件を分析しました（${result.seconds.toFixed(1)} 秒）`,
    '',
    'ルール                       検知件数  仕込んだ事例の検出',
  ];
  for (const r of result.rules) {
    const mine = status.filter((p) => p.rule === r.rule);
    const found = mine.filter((p) => p.found).length;
    const plantedText = mine.length ? `${found}/${mine.length}${found === mine.length ? ' ✓' : ' 未検出あり'}` : '-';
    lines.push(`${pad(`${r.title}`, 24)} ${String(r.findings).padStart(8)}  ${plantedText}`);
  }
  lines.push('', `検知結果の一覧: kansa findings --from ${result.fromDay} --to ${result.toDay}`);
  return lines.join('\n');
}

/** Pads by display width (full-width characters count as two columns). */
function pad(text: string, width: number): string {
  const w = [...text].reduce((n, ch) => n + (ch.charCodeAt(0) <= 0xff ? 1 : 2), 0);
  return text + ' '.repeat(Math.max(1, width - w));
}
