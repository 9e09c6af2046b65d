export * from './test-store';
