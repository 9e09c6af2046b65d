/**
 * Failed authentications per client address in this process (log-ins and
 * API tokens): beyond `maxPerMinute` in the last minute the address is
 * answered 429 until the oldest failure is a minute old. Per process: each
 * process of a deployment counts its own (the per-account lockout, kept in
 * storage, holds across processes).
 */
export class AddressThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfter(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.maxPerMinute) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.maxPerMinute] + 60_000 - this.now()) / 1000));
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent);
    if (this.failures.size > 10_000) this.sweep();
  }

  private recent(address: string): number[] {
    const since = this.now() - 60_000;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }

  private sweep(): void {
    for (const address of [...this.failures.keys()]) {
      const recent = this.recent(address);
      if (recent.length) this.failures.set(address, recent);
      else this.failures.delete(address);
    }
  }
}
