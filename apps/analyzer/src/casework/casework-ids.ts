import { randomBytes } from 'node:crypto';

/**
 * The random part of a case's or an exception's number (CASE-YYYYMMDD-XXXX,
 * EX-YYYYMMDD-XXXX): four hex digits. A provider, so that a test rendering
 * the report as a golden text can make it the same at every run (the report's
 * column widths follow what the cells hold).
 */
export const CASEWORK_ID_SUFFIX = Symbol('CASEWORK_ID_SUFFIX');
export type CaseworkIdSuffix = () => string;

export const randomIdSuffix: CaseworkIdSuffix = () => randomBytes(2).toString('hex').toUpperCase();

/** 0001, 0002, …: the same numbers at every run (tests). */
export function countingIdSuffix(): CaseworkIdSuffix {
  let n = 0;
  return () => (++n).toString(16).toUpperCase().padStart(4, '0');
}
