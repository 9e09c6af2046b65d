import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { DateInputError } from '@kansa/calendar/date-input';
import { COMMANDS } from './commands';
import { CommandContext, GlobalOptions } from './context';
import { UserError } from './errors';

/** Builds the `kansa` program. Exported for tests that run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('kansa')
    .description('kansa (監査) — 特定個人情報取扱システムのアクセスログ分析')
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (default ./data)')
    .option('--config <file>', 'site configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const ctx = () => new CommandContext(program.opts<GlobalOptions>());
  for (const register of COMMANDS) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UserError || err instanceof DateInputError) {
      process.stderr.write(`kansa: ${err.message}\n`);
      return err instanceof UserError ? err.exitCode : 2;
    }
    process.stderr.write(`kansa: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}
