#!/usr/bin/env -S node --max-semi-space-size=64
'use strict';
// Entry point of the `kansa` command. Sources are TypeScript, compiled on load
// by swc (fast, no build step to forget after `npm ci`).
// --max-semi-space-size=64 (MB): a larger young generation; an import of Windows
// event logs spent 4.7 s of a million records in garbage collection with the
// default 16, 2.7 s with 64, for ~100 MB more peak memory (docs/collector.md).
// Everything kansa writes (the data directory, reports, exports) is the owner's only.
process.umask(0o077);
require('../scripts/register');
require('../apps/cli/src/main')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`kansa: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 2;
    },
  );
