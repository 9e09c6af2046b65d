/**
 * How deeply a JSON value may nest. Real log records nest two or three
 * levels; a deeper one is refused by name (quarantine, or 400 for an HTTP
 * body) before anything recursive (JSON.stringify, a schema) walks it.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests deeper than `limit` (arrays and objects count a level each); iterative, so any depth is safe. */
export function jsonTooDeep(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export const JSON_TOO_DEEP_REASON = `JSONの入れ子が深すぎます (上限 ${MAX_JSON_DEPTH} 段)`;
