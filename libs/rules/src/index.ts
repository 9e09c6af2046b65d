export * from './core/define-rule';
export * from './core/rule-params';
export * from './catalog';
export * from './core/inline-params';
export * from './core/judgement';
export * from './core/plain-words';
export * from './rules/unexplained-access/explanation-kinds';
