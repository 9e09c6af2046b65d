import { Module } from '@nestjs/common';
import { BatchLedgerRepository } from './batch-ledger.repository';
import { IntegrityChecksRepository } from './integrity-checks.repository';
import { VerifyService } from './verify.service';

/**
 * The SHA-256 chain over stored logs: its ledger (import_batches) and its
 * verification, and the record of every verification (integrity_checks). The collector appends to it; the analyzer (report, the
 * scheduled check) and `kansa verify` read it. Needs the global StorageModule.
 */
@Module({
  providers: [BatchLedgerRepository, IntegrityChecksRepository, VerifyService],
  exports: [BatchLedgerRepository, IntegrityChecksRepository, VerifyService],
})
export class IntegrityModule {}
