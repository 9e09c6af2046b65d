export * from './actions';
export * from './event';
export * from './finding';
