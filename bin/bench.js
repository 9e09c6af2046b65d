#!/usr/bin/env node
'use strict';
// Runs a benchmark script (TypeScript) and lets it print its JSON result.
require('../scripts/register');
const path = require('path');
const file = process.argv[2];
require(path.resolve(__dirname, '..', file))
  .main(process.argv.slice(3))
  .then(
    () => {},
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
