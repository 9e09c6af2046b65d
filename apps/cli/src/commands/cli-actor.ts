import type { AuditActor } from '@kansa/service-shell';
import { userInfo } from 'node:os';

/** Who runs the command, for the audit log: the operating system's user (cron and operators alike). */
export function cliActor(): AuditActor {
  let name = process.env.SUDO_USER || process.env.USER || '';
  try {
    name ||= userInfo().username;
  } catch {
    name ||= '(unknown)';
  }
  return { kind: 'cli', name: `cli:${name}`, role: 'cli' };
}
