export * from './test-store';
export * from './event-row';
export * from './data-dir-as-of';
export * from './scratch-dir';
