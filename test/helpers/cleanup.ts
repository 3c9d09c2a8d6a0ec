// The usual end of an e2e file whose tests each start their own processes: every service
// stopped after each test (a failed test leaves nothing running for the next), every temp
// dir removed at the end.
import { afterAll, afterEach } from 'vitest';
import { stopAllServices } from './service.js';
import { removeTempDirs } from './temp.js';

/** Call at the top level of a test file. */
export function stopServicesAfterEachTest(): void {
  afterEach(async () => {
    await stopAllServices();
  });
  afterAll(() => removeTempDirs());
}
