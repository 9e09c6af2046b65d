import { z } from 'zod';

const japanese = z.locales.ja().localeError;

/**
 * The messages of a check of what a person sent (a query, a form), in Japanese as the console's users read them:
 * zod's own Japanese messages, and 「値を指定してください」 for a field left out (the locale would say that
 * undefined was given instead of a string). A message a schema sets itself wins over these.
 */
export const japaneseIssues: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? '値を指定してください (required)' : japanese(issue);

/** A problem of a failed check as `field: message`; `whole` names the input when the problem is not a field's. */
export function issueText(issue: z.core.$ZodIssue, whole: string): string {
  return `${issue.path.length ? issue.path.join('.') : whole}: ${issue.message}`;
}

/** The first problem of a failed check (issueText). */
export function firstIssueText(error: z.ZodError, whole: string): string {
  return issueText(error.issues[0], whole);
}
