import { Injectable } from '@nestjs/common';
import { jstTimestamp } from '@kansa/domain';
import { ServiceStatsRepository } from './service-stats.repository';
import { StorageStatus } from './storage-status.service';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  live: true;
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Readiness checks: storage is built in; other parts (the Kafka consumer)
 * register theirs with register().
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, () => Promise<CheckResult>>();

  constructor(
    private readonly stats: ServiceStatsRepository,
    private readonly storageStatus: StorageStatus,
  ) {
    this.register('storage', () => this.checkStorage());
  }

  register(name: string, check: () => Promise<CheckResult>): void {
    this.checks.set(name, check);
  }

  async report(timeoutMs = 3000): Promise<HealthReport> {
    const checks: Record<string, CheckResult> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        checks[name] = await withTimeout(check(), timeoutMs).catch((err: Error) => ({ ok: false, detail: err.message }));
      }),
    );
    const ready = Object.values(checks).every((c) => c.ok);
    return { status: ready ? 'ok' : 'unavailable', live: true, ready, checks };
  }

  private async checkStorage(): Promise<CheckResult> {
    await this.stats.ping();
    const failure = this.storageStatus.lastFailure;
    if (failure) return { ok: false, detail: `last write failed at ${jstTimestamp(failure.at)} JST: ${failure.message}` };
    return { ok: true };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
