// Preloaded into a service under test (NODE_OPTIONS=--import <this file>) to record every
// module it loads, in every thread, into the file CHAINLAB_TEST_MODULE_LOG names: ES modules
// through a loader hook (module-recorder-hooks.mjs), CommonJS modules from require.cache
// when each thread exits. test/level-modules.e2e.test.ts reads the file to see whether a
// level-1 or level-2 process ever loaded the EVM.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.CHAINLAB_TEST_MODULE_LOG;
if (file) {
  register('./module-recorder-hooks.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const lines = Object.keys(require.cache).map((p) => `cjs ${p}\n`);
    appendFileSync(file, lines.join(''));
  });
}
