export * from './masters.types';
export * from './master-row.schema';
export * from './master-file.parser';
export * from './masters.repository';
export * from './masters.module';
