export * from './actions';
export * from './counts';
export * from './event';
export * from './finding';
export * from './jst';
export * from './masters';
export * from './median';
export * from './people';
