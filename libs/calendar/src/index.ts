export * from './business-calendar';
export * from './business-hours';
export * from './calendar.service';
export * from './calendar.module';
export * from './date-input';
export * from './months';
