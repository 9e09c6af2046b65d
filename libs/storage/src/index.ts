export * from './clickhouse.factory';
export * from './migrations';
export * from './storage.module';
export * from './tables';
export * from './storage-errors';
export * from './event-columns';
