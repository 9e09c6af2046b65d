import { join } from 'node:path';

/** Where the tests keep the sample report (test/artifacts, gitignored): look at it. */
export const REPORT_ARTIFACTS = join(__dirname, '..', '..', '..', '..', '..', 'test', 'artifacts', 'report');
