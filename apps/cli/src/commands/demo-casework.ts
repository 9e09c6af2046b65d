import { INestApplicationContext } from '@nestjs/common';
import { AuditTrailService } from '@kansa/audit-trail';
import type { PlannedException } from '@kansa/demo';
import { MastersService } from '@kansa/masters';
import { composeAuditAlert, toAuditAlertItem } from '@kansa/analyzer/alerts/alert-message.mapper';
import { CasesService } from '@kansa/analyzer/casework/cases/cases.service';
import { ExceptionsService } from '@kansa/analyzer/casework/exceptions/exceptions.service';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';

/** What the demo month shows of casework (docs/casework.md): an exception in force, a repeat case, a tamper alert. */
export interface DemoCasework {
  exceptions: Array<{ id: string; reference: string; reason: string; findingsExcepted: number }>;
  repeatCase: { caseId: string; userId: string; reasons: string[]; findings: number } | null;
  tamper: { changeId: string; summary: string; alertSubject: string; alertText: string } | null;
}

/** Who the demo records as doing these things. */
const DEMO_OFFICER = '情報政策課 監査担当（デモ）';
const DEMO_ADMIN = '情報政策課 システム管理者（デモ）';

/**
 * Registers the exceptions the demo city approved in advance, before the
 * analysis. Running the demo again does not approve them twice: one with the
 * same reference in force is kept.
 */
export async function approvePlannedExceptions(app: INestApplicationContext, planned: readonly PlannedException[]): Promise<string[]> {
  const exceptions = app.get(ExceptionsService);
  const active = await exceptions.list({ state: 'active' });
  const ids: string[] = [];
  for (const p of planned) {
    const existing = active.find((x) => x.reference === p.reference && x.rule === p.rule);
    ids.push(existing?.id ?? (await exceptions.add(p, p.approvedBy)).exception.id);
  }
  return ids;
}

/**
 * After the analysis: how many findings of the month each approved exception
 * covers; a case opened for the first repeat pattern (継続監視対象) with their
 * findings of the month (or the open one of an earlier demo run); and the
 * tamper — an administrator loading the watchlist without one DV entry — as
 * the 監査担当 would receive it.
 */
export async function demoCasework(
  app: INestApplicationContext,
  month: string,
  period: { from: string; to: string },
  exceptionIds: readonly string[],
  tamperedMastersDir: string,
): Promise<DemoCasework> {
  const findings = await app.get(FindingsService).list(period);
  const exceptions = app.get(ExceptionsService);
  const out: DemoCasework = { exceptions: [], repeatCase: null, tamper: null };
  for (const id of exceptionIds) {
    const versions = await exceptions.history(id);
    const x = versions[versions.length - 1];
    out.exceptions.push({
      id,
      reference: x.reference,
      reason: x.reason,
      findingsExcepted: findings.filter((f) => f.exception?.id === id).length,
    });
  }

  const cases = app.get(CasesService);
  const [pattern] = await cases.patterns(month);
  if (pattern) {
    const own = findings.filter((f) => f.userId === pattern.userId && f.status !== 'excepted');
    const caseId =
      pattern.openCases[0] ??
      (
        await cases.open({
          userId: pattern.userId,
          title: `継続監視: ${pattern.reasons[0]}`,
          owner: DEMO_OFFICER,
          by: DEMO_OFFICER,
          findingIds: own.map((f) => f.id),
        })
      ).id;
    out.repeatCase = { caseId, userId: pattern.userId, reasons: pattern.reasons, findings: own.length };
  }

  await app.get(MastersService).load(tamperedMastersDir, { by: DEMO_ADMIN });
  const change = await app.get(AuditTrailService).lastOf('masters');
  if (change) {
    const alert = composeAuditAlert(toAuditAlertItem(change), change.changeId);
    out.tamper = { changeId: change.changeId, summary: change.summary, alertSubject: alert.subject, alertText: alert.text };
  }
  return out;
}

/** The demo summary's casework lines. */
export function formatDemoCasework(c: DemoCasework): string[] {
  const lines = ['', '事案・例外承認・監査の改ざん検知:'];
  for (const x of c.exceptions)
    lines.push(`  例外承認 ${x.id}（${x.reference}）: ${x.reason} — 検知 ${x.findingsExcepted} 件を「例外適用」として記録`);
  if (c.repeatCase)
    lines.push(
      `  継続監視対象 ${c.repeatCase.userId}: ${c.repeatCase.reasons.join(' / ')} — 事案 ${c.repeatCase.caseId}（検知 ${c.repeatCase.findings} 件）`,
    );
  if (c.tamper) {
    lines.push(`  監査担当への通知（alerts.audit を設定するとメールで届きます）: ${c.tamper.alertSubject}`);
    lines.push(`    ${c.tamper.summary}`);
  }
  lines.push('  確認: kansa exceptions list / kansa cases list / kansa audit log');
  return lines;
}
