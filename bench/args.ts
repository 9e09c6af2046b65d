/** A benchmark's command-line options, `--name value` (and `--name` alone for a switch). */
export function benchArgs(argv: string[]): {
  get(name: string): string | undefined;
  num(name: string, def: number, min?: number): number;
  decimal(name: string, def: number): number;
  flag(name: string): boolean;
} {
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
  /** A number above 0 (fractions allowed), `def` when not given. */
  const decimal = (name: string, def: number) => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a number above 0, got ${v}`);
    return n;
  };
  const flag = (name: string) => argv.includes(`--${name}`);
  return { get, num, decimal, flag };
}
