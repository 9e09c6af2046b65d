import { Logger } from '@nestjs/common';

/**
 * Runs a round now and then again `intervalMs` after each round ends, one
 * round at a time: a round asked for while one runs joins it. Stopping waits
 * for the round in flight (its deliveries are recorded). A failed round is
 * logged and tried again at the next interval.
 */
export class RoundPoller<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;
  private stopping = false;

  constructor(
    private readonly round: () => Promise<T>,
    private readonly intervalMs: () => number,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  start(): void {
    this.schedule(0);
  }

  runOnce(): Promise<T> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stopping: a round in flight should finish what it started and send nothing new. */
  get stopped(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((err: Error) => this.logger.warn(`${this.what} failed (retried next round): ${err.message}`))
        .finally(() => this.schedule(this.intervalMs()));
    }, delayMs);
  }
}
