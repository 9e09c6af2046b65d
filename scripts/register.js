'use strict';
// Compile TypeScript on require with swc, honouring tsconfig paths (@kansa/*)
// and decorator metadata (NestJS dependency injection).
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
