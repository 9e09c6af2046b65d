/** A benchmark's command-line options, `--name value`. */
export function benchArgs(argv: string[]): { get(name: string): string | undefined; num(name: string, def: number, min?: number): number } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  /** A whole number of at least `min` (1 unless said), `def` when not given. */
  const num = (name: string, def: number, min = 1) => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number of at least ${min}, got ${v}`);
    return n;
  };
  return { get, num };
}
