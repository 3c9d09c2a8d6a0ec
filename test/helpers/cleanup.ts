// The usual end of an e2e file: every service it started stopped (after each test, so a
// failed test leaves nothing running for the next, or once at the end when the tests share
// processes) and every temp dir removed.
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

/** For a file whose tests share processes started in beforeAll: all stopped at the end. */
export function stopServicesAfterAllTests(): void {
  afterAll(async () => {
    await stopAllServices();
    removeTempDirs();
  });
}
