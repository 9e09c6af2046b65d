#!/usr/bin/env node
'use strict';
// Entry point of the `kansa` command. Sources are TypeScript, compiled on load
// by swc (fast, no build step to forget after `npm ci`).
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
