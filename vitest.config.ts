import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so a unit test never
// depends on a stale build. Processes that e2e tests start run the built JS in dist/.
const packages = ['api', 'core', 'evm', 'levels', 'miner-worker', 'service', 'sim', 'sync', 'wire'];
const alias = [
  // a subpath export that is a folder
  {
    find: /^@chainlab\/sim\/decisions$/,
    replacement: src('./packages/sim/src/decisions/index.ts'),
  },
  ...packages.flatMap((name) => [
    {
      find: new RegExp(`^@chainlab/${name}$`),
      replacement: src(`./packages/${name}/src/index.ts`),
    },
    // subpath exports, e.g. @chainlab/sync/libsecp-verifier
    {
      find: new RegExp(`^@chainlab/${name}/(.+)$`),
      replacement: src(`./packages/${name}/src/$1.ts`),
    },
  ]),
];

// Two projects: fast pure unit tests, and multi-process end-to-end tests. The e2e files
// run one at a time: the machine has two cores and each file starts several processes.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
