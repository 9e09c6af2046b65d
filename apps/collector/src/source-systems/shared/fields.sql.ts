import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { SqlField, sqlStrings } from './sql-normalizer';

/**
 * SQL twins of the field validators in fields.ts, for ClickHouse to normalize
 * plain lines itself (sql-normalizer.ts). Each accepts a subset of what its
 * zod validator accepts and yields the same value; anything it does not
 * accept goes back through zod. Only functions that never throw (…OrNull,
 * …OrZero) are used: a check is evaluated on every line, valid or not.
 */

const TEXT: SqlField = { ok: () => 'true', value: (x) => x };

/** optionalText(): any text. */
export const sqlText = (): SqlField => TEXT;

/** required(): not empty. */
export const sqlRequired = (): SqlField => ({ ok: (x) => `${x} != ''`, value: (x) => x });

/** digits(n, optional). RE2's \d is ASCII only, like JavaScript's. */
export const sqlDigits = (n: number, optional = false): SqlField => ({
  ok: (x) => `match(${x}, '${optional ? `^(\\\\d{${n}})?$` : `^\\\\d{${n}}$`}')`,
  value: (x) => x,
});

const IPV4 = '^(25[0-5]|2[0-4]\\\\d|1\\\\d\\\\d|[1-9]?\\\\d)(\\\\.(25[0-5]|2[0-4]\\\\d|1\\\\d\\\\d|[1-9]?\\\\d)){3}$';
/** ipv4(optional). */
export const sqlIpv4 = (optional = false): SqlField => ({
  ok: (x) => (optional ? `(${x} = '' OR match(${x}, '${IPV4}'))` : `match(${x}, '${IPV4}')`),
  value: (x) => x,
});

/** countText(optional): a decimal UInt32. */
export const sqlCount = (optional = false): SqlField => ({
  ok: (x) => `${optional ? `${x} = '' OR ` : ''}(match(${x}, '^\\\\d{1,10}$') AND toUInt64OrZero(${x}) <= 4294967295)`,
  value: (x) => `toUInt32OrZero(${x})`,
});

/** oneOf(values). */
export const sqlOneOf = (values: readonly string[]): SqlField => ({ ok: (x) => `has(${sqlStrings(values)}, ${x})`, value: (x) => x });

/** A regular expression the text must match (RE2 syntax, written for a SQL string literal). */
export const sqlMatches = (re: string): SqlField => ({ ok: (x) => `match(${x}, '${re}')`, value: (x) => x });

/**
 * jstWallClock(style): `YYYY/MM/DD HH:MM:SS` (or dashes) in JST → epoch ms.
 * The text must print back exactly (so 2026/09/31 or 24:00:00 are refused);
 * times outside DateTime's 1970–2106 go back through zod.
 */
export const sqlJstWallClock = (style: 'slash' | 'dash'): SqlField => {
  const format = style === 'slash' ? '%Y/%m/%d %H:%i:%s' : '%Y-%m-%d %H:%i:%s';
  const parsed = (x: string) => `parseDateTimeOrNull(${x}, '${format}', 'Asia/Tokyo')`;
  return {
    ok: (x) => `formatDateTime(${parsed(x)}, '${format}', 'Asia/Tokyo') = ${x}`,
    value: (x) => `toInt64(toUnixTimestamp(${parsed(x)})) * 1000`,
  };
};

/**
 * isoWithOffset(): `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` → epoch ms
 * (fractions beyond ms truncated, as zod does).
 */
export const sqlIsoWithOffset = (): SqlField => {
  const re = `'^(\\\\d{4}-\\\\d{2}-\\\\d{2})T(\\\\d{2}:\\\\d{2}:\\\\d{2})(\\\\.\\\\d{1,9})?(Z|[+-](0\\\\d|1[0-4]):[0-5]\\\\d)$'`;
  const part = (x: string, i: number) => `extractGroups(${x}, ${re})[${i}]`;
  const wall = (x: string) => `parseDateTimeOrNull(concat(${part(x, 1)}, ' ', ${part(x, 2)}), '%Y-%m-%d %H:%i:%s', 'UTC')`;
  const fracMs = (x: string) => `toInt64OrZero(rightPad(substring(${part(x, 3)}, 2, 3), 3, '0'))`;
  const offsetMs = (x: string) =>
    `if(${part(x, 4)} = 'Z', 0, (if(startsWith(${part(x, 4)}, '-'), -1, 1)) * (toInt64OrZero(substring(${part(x, 4)}, 2, 2)) * 60 + toInt64OrZero(substring(${part(x, 4)}, 5, 2))) * 60000)`;
  return {
    ok: (x) => `match(${x}, ${re}) AND formatDateTime(${wall(x)}, '%Y-%m-%d %H:%i:%s', 'UTC') = concat(${part(x, 1)}, ' ', ${part(x, 2)})`,
    value: (x) => `toInt64(toUnixTimestamp(${wall(x)})) * 1000 + ${fracMs(x)} - ${offsetMs(x)}`,
  };
};

/** What both twin builders offer: a checked field's value. */
interface FieldChecks {
  check(key: string | undefined, field: SqlField): string;
}

/** The action column: one of the configured values; `value` is the source's own, `action` the normalized one. */
export function checkedAction(b: FieldChecks, config: SourceSystemConfig): { value: string; action: string } {
  const keys = Object.keys(config.actions);
  const value = b.check(config.columns.action, sqlOneOf(keys));
  return { value, action: `transform(${value}, ${sqlStrings(keys)}, ${sqlStrings(keys.map((k) => config.actions[k]))}, '')` };
}

/** The result column: one of the configured values; failure when it is a failure value, else success. */
export function checkedOutcome(b: FieldChecks, config: SourceSystemConfig): string {
  const value = b.check(config.columns.outcome, sqlOneOf([...config.outcomes.success, ...config.outcomes.failure]));
  return `if(has(${sqlStrings(config.outcomes.failure)}, ${value}), 'failure', 'success')`;
}
