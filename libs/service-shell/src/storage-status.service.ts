import { Injectable } from '@nestjs/common';

/**
 * What the service last saw of storage writes: ingest marks it unavailable
 * when a batch could not be stored and available again once one is. Readiness
 * reports it, so a load balancer stops sending while the disk is full.
 */
@Injectable()
export class StorageStatus {
  private failure: { at: number; message: string } | null = null;

  markUnavailable(err: Error): void {
    this.failure = { at: Date.now(), message: err.message };
  }

  markAvailable(): void {
    this.failure = null;
  }

  get lastFailure(): { at: number; message: string } | null {
    return this.failure;
  }
}
