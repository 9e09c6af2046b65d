/** A count as Japanese reports and screens write it: with thousands separators (1,234,567). */
export function formatCount(n: number): string {
  return n.toLocaleString('ja-JP');
}
