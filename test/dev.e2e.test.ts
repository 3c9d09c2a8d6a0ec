// `pnpm dev` as a user runs it: the banner only once this devnet is up, Ctrl-C stops every
// service cleanly (no process left, a restart at the same height with the pending tx kept),
// a second devnet on the same ports or data dir fails fast with the cause on screen, a
// service that fails at start-up stops the rest, and a mistyped flag gets a suggestion.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  getJson,
  removeTempDirs,
  runToExit,
  settle,
  tempDir,
  waitFor,
  type Tip,
} from './helpers/index.js';
import { devnetPorts, freePortBase, portIsFree, startDevnet } from './helpers/devnet.js';

const NODES = 2;
const DEV_ADDRESS = '0x1c3629447F2f641a9d4516292328e2a98c64Ca3B'; // devnet dev account #1

afterAll(() => removeTempDirs());

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `"stopped"` log records of this service, newest last. */
function stopRecords(dataDir: string, service: string): { clean: boolean }[] {
  const file = path.join(dataDir, 'logs', `${service}.log`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        const j = JSON.parse(l) as { msg?: string; clean?: boolean };
        return j.msg === 'stopped' ? [{ clean: j.clean === true }] : [];
      } catch {
        return [];
      }
    });
}

describe('pnpm dev (scripts/dev.mjs)', () => {
  it('a mistyped flag is named with a suggestion, exit code 2', async () => {
    const r = await runToExit('dev', ['--spce', 'devnet'], {}, { script: 'scripts/dev.mjs' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --spce (did you mean --spec?)');
    const p = await runToExit('dev', ['--port-bse', '8000'], {}, { script: 'scripts/dev.mjs' });
    expect(p.stderr).toContain('unknown option --port-bse (did you mean --port-base?)');
  });

  it('starts, refuses a second devnet on its ports or data dir, stops cleanly on Ctrl-C and restarts at the same height', async () => {
    const dataDir = tempDir('chainlab-dev-');
    const portBase = await freePortBase(NODES);
    const args = ['--port-base', String(portBase), '--data-dir', dataDir, '--nodes', String(NODES)];
    const dev = startDevnet([...args, '--no-status'], { portBase, nodes: NODES });
    await dev.banner();
    expect(dev.stdout()).toContain(`node-2    http://127.0.0.1:${portBase + 302}`);
    expect(dev.stdout()).toContain(`export CHAINLAB_NODE=${dev.nodeUrls[0]}`);

    // A second devnet on the same ports (own data dir): the cause, no banner, exit ≠ 0.
    const second = await runToExit(
      'dev',
      ['--port-base', String(portBase), '--data-dir', tempDir('chainlab-dev-'), '--no-status'],
      {},
      { script: 'scripts/dev.mjs', timeoutMs: 60_000 },
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${portBase} is in use`);
    expect(second.stderr).toContain('is another devnet running?');
    expect(second.stderr).toMatch(/pnpm dev -- --port-base \d+/);
    expect(second.stdout).not.toContain('chainlab devnet —');
    // The same data dir on other ports: refused before anything starts.
    const otherBase = await freePortBase(NODES);
    const third = await runToExit(
      'dev',
      ['--port-base', String(otherBase), '--data-dir', dataDir, '--no-status'],
      {},
      { script: 'scripts/dev.mjs', timeoutMs: 60_000 },
    );
    expect(third.code).toBe(1);
    expect(third.stderr).toContain(`${dataDir} is in use by another devnet`);
    expect(third.stdout).not.toContain('chainlab devnet —');
    // The first devnet is untouched.
    const nodes = dev.nodeUrls.map((url) => ({ url }));
    await waitFor(async () => (await getJson<Tip>(`${dev.nodeUrls[0]}/tip`)).height >= 2, {
      timeoutMs: 120_000,
      message: 'a few blocks mined',
    });

    // A pending tx (mining off) and one common tip, then Ctrl-C.
    const tip = await settle(nodes);
    const faucet = await runToExit(
      'wallet-cli',
      ['--json', 'faucet', DEV_ADDRESS, '--amount', '1'],
      {
        CHAINLAB_NODE: dev.nodeUrls[0],
        CHAINLAB_MEMPOOL: dev.mempoolUrl,
        CHAINLAB_KEYSTORE_DIR: tempDir('chainlab-dev-keys-'),
      },
    );
    expect(faucet.code, faucet.stderr).toBe(0);
    const txid = (JSON.parse(faucet.stdout) as { txid: string }).txid;
    expect(txid).toMatch(/^0x[0-9a-f]{64}$/);
    const pids = await Promise.all(
      [...dev.nodeUrls, dev.mempoolUrl].map(
        async (u) => (await getJson<{ pid: number }>(`${u}/status`)).pid,
      ),
    );
    expect(new Set([...pids, dev.proc.pid]).size).toBe(NODES + 2);

    const exit = await dev.interrupt();
    expect(exit, dev.stdout() + dev.stderr()).toEqual({ code: 0, signal: null });
    for (const s of ['explorer', 'node-1', 'node-2', 'mempool', 'tracker']) {
      expect(dev.stdout()).toContain(`  ${s} stopped\n`);
      // Each service got one signal and ran its whole shutdown (state saved, LevelDB closed).
      expect(stopRecords(dataDir, s), s).toEqual([{ clean: true }]);
    }
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of devnetPorts(portBase, NODES)) expect(await portIsFree(port)).toBe(true);
    expect(existsSync(path.join(dataDir, 'devnet.lock'))).toBe(false);

    // Restart on the same data dir: every node loads the chain at the height it stopped at,
    // and the pending tx is still pending.
    const again = startDevnet([...args, '--no-status'], { portBase, nodes: NODES });
    await again.banner();
    for (const s of ['node-1', 'node-2']) {
      const loaded = readFileSync(path.join(dataDir, 'logs', `${s}.log`), 'utf8')
        .split('\n')
        .flatMap((l) => {
          try {
            const j = JSON.parse(l) as { msg?: string; height?: number };
            return j.msg === 'chain loaded' ? [j.height] : [];
          } catch {
            return [];
          }
        });
      expect(loaded, s).toEqual([0, tip.height]);
    }
    const block = await getJson<{ hash: string }>(`${again.nodeUrls[0]}/block/${tip.height}`);
    expect(block.hash).toBe(tip.hash);
    const conf = await getJson<{ confirmations: number }>(
      `${again.mempoolUrl}/confirmations/${txid}`,
    );
    expect(conf.confirmations).toBeGreaterThanOrEqual(0); // pending (0) or mined since: known
    expect((await again.interrupt()).code).toBe(0);
  });

  it('a service that fails at start-up stops the others; its last log lines are on screen', async () => {
    const dataDir = tempDir('chainlab-dev-');
    // node-2's data dir is a file: its LevelDB cannot open.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'node-2'), 'not a directory');
    const portBase = await freePortBase(NODES);
    const dev = startDevnet(
      [
        '--port-base',
        String(portBase),
        '--data-dir',
        dataDir,
        '--nodes',
        String(NODES),
        '--no-status',
      ],
      { portBase, nodes: NODES },
    );
    const exit = await dev.exited;
    expect(exit.code, dev.stdout() + dev.stderr()).toBe(1);
    expect(dev.stderr()).toContain('node-2 exited with code 1 during start-up');
    expect(dev.stderr()).toContain('Database failed to open');
    expect(dev.stdout()).not.toContain('chainlab devnet —');
    expect(dev.stdout()).toContain('tracker stopped');
    for (const port of devnetPorts(portBase, NODES)) expect(await portIsFree(port)).toBe(true);
  });
});
