/**
 * The WHERE of a query built from optional filters, values only as query
 * parameters: `when(value, 'day >= {from:Date}', 'from')` adds the condition
 * and its parameter when the value is given (not undefined or null), nothing
 * otherwise. An empty list is a value: `IN []` matches nothing, never all —
 * a caller for whom an empty list means "no filter" passes undefined.
 */
export class SqlConditions {
  private readonly conditions: string[] = [];
  readonly params: Record<string, unknown>;

  constructor(params: Record<string, unknown> = {}) {
    this.params = { ...params };
  }

  when(value: unknown, condition: string, name: string): this {
    if (value === undefined || value === null) return this;
    this.conditions.push(condition);
    this.params[name] = value;
    return this;
  }

  /** `WHERE a AND b …`, or '' when no filter was given. */
  get where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
