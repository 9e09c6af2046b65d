export * from './masters.types';
export * from './master-row.schema';
export * from './master-file.parser';
export * from './masters.repository';
export * from './master-timeline';
export * from './masters.module';
export * from './master-changes';
export * from './masters.service';
