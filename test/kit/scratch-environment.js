// The jest environment of every test file: Node's, and once the file has run
// (after its own afterAll hooks, so stores and services are closed), the
// directories scratchDir (test/kit/scratch-dir.ts) made for it are removed.
const { rmSync } = require('node:fs');
const { TestEnvironment } = require('jest-environment-node');

const KEY = '__kansaScratchDirs'; // as scratchDir records them

class ScratchEnvironment extends TestEnvironment {
  async teardown() {
    for (const dir of this.global[KEY] ?? []) rmSync(dir, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = ScratchEnvironment;
