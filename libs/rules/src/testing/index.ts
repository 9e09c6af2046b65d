export * from './fixture.types';
export * from './rule-harness';
export * from './describe-rule';
