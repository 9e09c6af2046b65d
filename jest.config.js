// One jest run covers unit (*.spec.ts), integration against real ClickHouse/Kafka
// (*.int-spec.ts) and whole-service tests (*.e2e-spec.ts).
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  if (!alias.startsWith('@kansa/')) continue;
  const from = '^' + alias.replace('/*', '/(.*)') + '$';
  moduleNameMapper[from] = '<rootDir>/' + target.replace('/*', '/$1');
}

module.exports = {
  rootDir: __dirname,
  // Node's, removing each file's scratch directories after it (test/kit/scratch-dir.ts).
  testEnvironment: '<rootDir>/test/kit/scratch-environment.js',
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.cache/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper,
  maxWorkers: 2,
  testTimeout: 60000,
  // chDB owns one data directory per process; each worker runs one file at a time.
  workerIdleMemoryLimit: '2GB',
};
