/**
 * Formula injection (CSV/XLSX): a text cell that begins with = + - or @ (or a
 * tab/CR, which some spreadsheet programs strip before looking) would be run
 * as a formula by Excel. Such text gets a leading apostrophe, which Excel
 * shows as plain text, and the original stays readable.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeFormulaText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
