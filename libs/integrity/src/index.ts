export * from './batch-ledger.repository';
export * from './chain';
export * from './integrity-checks.repository';
export * from './integrity.module';
export * from './verify.service';
export * from './verify-chunks';
export * from './content-scope';
