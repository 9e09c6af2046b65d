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

/**
 * Whether the JSON text of a value could nest deeper than `limit`: each level
 * opens with a `{` or `[`, so a text with no more of them than `limit` cannot
 * (brackets inside strings only add to the count). Reading the text is far
 * cheaper than walking the parsed value, which only the rare text that fails
 * this needs.
 */
export function jsonTextMayBeTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let opens = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) if (++opens > limit) return true;
  }
  return false;
}

export const JSON_TOO_DEEP_REASON = `JSONの入れ子が深すぎます (上限 ${MAX_JSON_DEPTH} 段)`;
