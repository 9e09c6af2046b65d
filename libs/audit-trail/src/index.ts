export * from './audit-change';
export * from './audit-trail.module';
export * from './audit-trail.repository';
export * from './audit-trail.service';
export * from './config-watch';
