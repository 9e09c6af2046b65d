import { Command } from 'commander';
import { CommandContext } from '../context';
import { registerAnalyzeCommand } from './analyze.command';
import { registerBatchesCommand } from './batches.command';
import { registerAuditCommand, registerCasesCommand, registerExceptionsCommand } from './casework.command';
import { registerCoverageCommand } from './coverage.command';
import { registerDemoCommand } from './demo.command';
import { registerEventsCommand } from './events.command';
import { registerExplanationsCommand } from './explanations.command';
import { registerFindingsCommand } from './findings.command';
import { registerImportCommand } from './import.command';
import { registerInfoCommand } from './info.command';
import { registerMastersCommand } from './masters.command';
import { registerReportCommand } from './report.command';
import { registerRulesCommand } from './rules.command';
import { registerServeCommand } from './serve.command';
import { registerStorageCommand } from './storage.command';
import { registerTokenCommand } from './token.command';
import { registerUserCommand } from './user.command';
import { registerVerifyCommand } from './verify.command';

/** Every `kansa` sub-command, in the order `kansa --help` lists them. */
export const COMMANDS: Array<(program: Command, ctx: () => CommandContext) => void> = [
  registerInfoCommand,
  registerImportCommand,
  registerVerifyCommand,
  registerStorageCommand,
  registerBatchesCommand,
  registerAnalyzeCommand,
  registerFindingsCommand,
  registerEventsCommand,
  registerExplanationsCommand,
  registerCoverageCommand,
  registerDemoCommand,
  registerReportCommand,
  registerExceptionsCommand,
  registerCasesCommand,
  registerAuditCommand,
  registerRulesCommand,
  registerMastersCommand,
  registerServeCommand,
  registerTokenCommand,
  registerUserCommand,
];
