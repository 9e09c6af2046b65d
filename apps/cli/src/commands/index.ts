import { Command } from 'commander';
import { CommandContext } from '../context';
import { registerInfoCommand } from './info.command';
import { registerMastersCommand } from './masters.command';

/** Every `kansa` sub-command, in the order `kansa --help` lists them. */
export const COMMANDS: Array<(program: Command, ctx: () => CommandContext) => void> = [
  registerInfoCommand,
  registerMastersCommand,
];
