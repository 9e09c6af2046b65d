'use strict';
// The thread that renders a monthly report (render-apart.ts starts it): TypeScript
// is compiled on load here as in the main thread, each format is rendered in turn
// and its bytes sent back; an error is sent back with the format it happened in.
require('../../../../../scripts/register');
const { parentPort, workerData } = require('node:worker_threads');
const { render } = require('./render');

(async () => {
  for (const format of workerData.formats) {
    const started = Date.now();
    try {
      const bytes = await render(workerData.report, format, workerData.settings);
      parentPort.postMessage({ format, bytes, ms: Date.now() - started });
    } catch (err) {
      parentPort.postMessage({ format, error: err && err.message ? err.message : String(err) });
      return;
    }
  }
})();
