export * from './test-store';
export * from './event-row';
