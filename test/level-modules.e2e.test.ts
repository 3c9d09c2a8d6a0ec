// The chain's level is loaded on demand (@chainlab/levels load.ts): a level-1 or level-2
// process never loads the EVM, the ABI library (viem) or the Solidity compiler (solc).
// Each service runs as a real process with a module recorder preloaded (helpers/
// module-recorder.mjs), does real work (mines a block, answers its level's routes), shuts
// down, and the modules it loaded are read back. A level-3 node runs the same way as the
// control: there the recorder must see the EVM, or it proves nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  getJson,
  http,
  postJson,
  REPO_ROOT,
  removeTempDirs,
  spawnService,
  stopAllServices,
  tempDir,
  writeSpec,
} from './helpers/index.js';

const RECORDER = path.join(REPO_ROOT, 'test/helpers/module-recorder.mjs');

/** Module paths that mean "the EVM was loaded". */
const EVM_MODULES: [string, RegExp][] = [
  ['@chainlab/evm', /\/packages\/evm\//],
  ['@ethereumjs/evm', /@ethereumjs[+/]evm\b/],
  ['viem', /[/+]viem@|\/node_modules\/viem\//],
  ['solc', /[/+]solc@|\/node_modules\/solc\//],
  ["the node's eth-rpc", /\/apps\/node\/dist\/eth-rpc\//],
];

afterAll(async () => {
  await stopAllServices();
  removeTempDirs();
});

/** Runs a service with the recorder, lets `work` use it, stops it; the modules it loaded. */
async function modulesLoadedBy(
  name: 'node' | 'mempool',
  args: string[],
  work: (url: string) => Promise<void>,
): Promise<string[]> {
  const log = path.join(tempDir('chainlab-modules-'), 'modules.log');
  const service = await spawnService(name, args, {
    CHAINLAB_LOG_FORMAT: 'json',
    CHAINLAB_TEST_MODULE_LOG: log,
    NODE_OPTIONS: `--import ${RECORDER}`,
  });
  await work(service.url);
  const exit = await service.stop();
  expect(exit.code).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

function evmModulesIn(modules: string[]): string[] {
  return EVM_MODULES.filter(([, re]) => modules.some((m) => re.test(m))).map(([name]) => name);
}

const nodeArgs = (spec: string) => [
  '--spec',
  spec,
  '--data-dir',
  tempDir('chainlab-node-'),
  '--threads',
  '1',
  '--no-mine',
  '--tracker',
  'http://127.0.0.1:9', // nobody: this test needs no peers
];

describe('a process loads only its own level', () => {
  it('a level-1 node mines and takes data items without loading the EVM, viem or solc', async () => {
    const modules = await modulesLoadedBy(
      'node',
      nodeArgs(writeSpec('instant', 'devnet-data')),
      async (url) => {
        const posted = await postJson(`${url}/data`, { data: 'hello' });
        expect(posted.status).toBe(202);
        const mined = await postJson(`${url}/dev/mine`, { blocks: 1 });
        expect(mined.status).toBe(200);
        const block = await getJson<{ data: string[] }>(`${url}/block/1`);
        expect(block.data).toEqual(['hello']);
      },
    );
    // The recorder saw the node's own code (else it recorded nothing worth checking).
    expect(modules.some((m) => m.includes('/packages/levels/dist/data.js'))).toBe(true);
    expect(evmModulesIn(modules)).toEqual([]);
  });

  it('a level-2 node and mempool do not load them either', async () => {
    const spec = writeSpec('instant', 'devnet');
    const node = await modulesLoadedBy('node', nodeArgs(spec), async (url) => {
      const mined = await postJson(`${url}/dev/mine`, { blocks: 1 });
      expect(mined.status).toBe(200);
      const account = await http(`${url}/account/0x0000000000000000000000000000000000000001`);
      expect(account.status).toBe(200);
    });
    expect(node.some((m) => m.includes('/packages/levels/dist/ledger.js'))).toBe(true);
    expect(evmModulesIn(node)).toEqual([]);

    const mempool = await modulesLoadedBy(
      'mempool',
      [
        '--spec',
        spec,
        '--data-dir',
        tempDir('chainlab-mempool-'),
        '--verify-threads',
        '1',
        '--tracker',
        'http://127.0.0.1:9',
      ],
      async (url) => {
        const balance = await http(`${url}/balance/0x0000000000000000000000000000000000000001`);
        expect(balance.status).toBe(200);
      },
    );
    expect(mempool.some((m) => m.includes('/packages/levels/dist/ledger.js'))).toBe(true);
    expect(evmModulesIn(mempool)).toEqual([]);
  });

  it('control: a level-3 node does load the EVM, so the recorder sees it', async () => {
    const modules = await modulesLoadedBy(
      'node',
      nodeArgs(writeSpec('instant', 'devnet-contracts')),
      async (url) => {
        const mined = await postJson(`${url}/dev/mine`, { blocks: 1 });
        expect(mined.status).toBe(200);
      },
    );
    expect(evmModulesIn(modules)).toEqual(
      expect.arrayContaining(['@chainlab/evm', '@ethereumjs/evm', "the node's eth-rpc"]),
    );
  });
});
