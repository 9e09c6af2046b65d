export * from './business-calendar';
export * from './business-hours';
