import { z } from 'zod';
import { ACTIONS } from '@kansa/domain/actions';

/**
 * How each source system's log is read: which parser, the encoding, the file
 * name pattern, the exact header, and the mapping of its columns (or JSON keys)
 * to the normalized event. A vendor variant is a configuration change:
 * defaults live in config/kansa.yaml under `sources:`.
 */
const action = z.enum(ACTIONS);

export const PARSERS = ['jumin', 'atena', 'chukan', 'terminal', 'canonical', 'windows', 'records'] as const;
export type ParserKind = (typeof PARSERS)[number];

export const sourceSystemSection = z
  .object({
    /** Which parser (zod schema + mapper) reads it. Extra systems reuse one of these. */
    parser: z.enum(PARSERS),
    /** `cp932` (Windows-31J) or `utf8` (a UTF-8 BOM is accepted and removed). */
    encoding: z.enum(['cp932', 'utf8']),
    /** File names of this source, a regular expression, e.g. ^JUMIN_OPLOG_\d{8}\.csv$ */
    fileNamePattern: z.string().refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'a valid regular expression'),
    /** CSV sources: the header line, exactly (column order of the file). */
    header: z.array(z.string().min(1)).default([]),
    /** Normalized field → column header (CSV) or JSON key (JSON Lines). */
    columns: z.record(z.string(), z.string().min(1)).default({}),
    /** Source's own value → action (処理区分, 照会種別, func, 操作種別; Windows: an event ID kansa does not map itself, e.g. '4688': view). */
    actions: z.record(z.string(), action).default({}),
    /** Source values that mean the 個人番号 was shown (個人番号表示 有, 照会種別 個人番号照会). */
    myNumberShownValues: z.array(z.string()).default([]),
    /** Source values of the result column that mean success / failure. */
    outcomes: z
      .object({ success: z.array(z.string()).default([]), failure: z.array(z.string()).default([]) })
      .strict()
      .default({ success: [], failure: [] }),
    /**
     * Windows: accounts that are not people besides the built-in ones
     * (machine accounts …$, SYSTEM, LOCAL SERVICE, NETWORK SERVICE,
     * ANONYMOUS LOGON, virtual accounts), e.g. a backup service's account:
     * their events are kept apart, not analysed as staff activity.
     */
    nonStaffAccounts: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type SourceSystemConfig = z.infer<typeof sourceSystemSection>;

/** Source name (jumin, atena, chukan, terminal, canonical, or an extra system) → how to read it. */
export const sourcesSection = z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case system name'), sourceSystemSection);

export type SourcesConfig = z.infer<typeof sourcesSection>;

/**
 * The configured sources whose lines are business records (parser `records`): why staff had reason to touch a
 * resident, not an operation of staff. They tell nothing of how far back the operation logs reach.
 */
export function businessRecordSources(sources: SourcesConfig): string[] {
  return Object.entries(sources)
    .filter(([, s]) => s.parser === 'records')
    .map(([id]) => id);
}

/**
 * The configured sources whose operations are stored under their own name: all but canonical JSON (each of its
 * lines names a source of its own) and business records.
 */
export function operationSourcesOf(sources: SourcesConfig): string[] {
  const records = businessRecordSources(sources);
  return Object.entries(sources)
    .filter(([id, s]) => s.parser !== 'canonical' && !records.includes(id))
    .map(([id]) => id);
}
