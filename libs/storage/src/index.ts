export * from './clickhouse.factory';
export * from './migrations';
export * from './storage.module';
export * from './tables';
export * from './storage-errors';
export * from './event-columns';
export * from './storage.tokens';
export * from './stored-counts.repository';
