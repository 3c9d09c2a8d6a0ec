import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinerPool, WORKER_URL, defaultThreads, type MineResult } from '../src/pool.js';
import { withNonce } from '../src/sha256d.js';
import { bitsToTarget, cryptoSha256d, hashToBigInt } from './helpers.js';

// The workers run the built JS (dist/worker.js). `pnpm test` builds first; when this file
// runs alone, build here if dist is missing or older than the sources.
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
function distIsStale(): boolean {
  const worker = fileURLToPath(WORKER_URL);
  if (!existsSync(worker)) return true;
  const built = statSync(worker).mtimeMs;
  const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
  return readdirSync(srcDir).some((f) => statSync(srcDir + f).mtimeMs > built);
}

const EASY = bitsToTarget(0x207fffff); // regtest: half of all hashes meet it
const MEDIUM = 1n << 236n; // ~1 in a million hashes: a second or so on 2 workers
const NEVER = 0n;
const rand80 = () => new Uint8Array(randomBytes(80));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectValidHit(res: MineResult, header: Uint8Array, target: bigint): number {
  if (res.status !== 'found') throw new Error(`expected a hit, got ${res.status}`);
  // The returned header is the template with the nonce in, and verifies with node:crypto.
  expect(res.header80.subarray(0, 76)).toEqual(header.subarray(0, 76));
  expect(res.header80).toEqual(withNonce(header, res.nonce));
  const hash = cryptoSha256d(res.header80);
  expect(res.hash).toEqual(hash);
  expect(hashToBigInt(hash) <= target).toBe(true);
  return res.nonce;
}

describe('MinerPool', () => {
  let pool: MinerPool;

  beforeAll(() => {
    if (distIsStale()) execSync('pnpm run build', { cwd: pkgDir, stdio: 'inherit' });
    pool = new MinerPool({ threads: 2, chunkSize: 1 << 20 });
  }, 120_000);

  afterAll(async () => {
    await pool?.destroy();
  });

  it('defaults to cores - 1 threads, at least 1', () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(pool.threads).toBe(2);
  });

  it('finds a nonce for an easy target, and the header verifies', async () => {
    for (let i = 0; i < 5; i++) {
      const header = rand80();
      const res = await pool.mine({ header80: header, target: EASY });
      expectValidHit(res, header, EASY);
      expect(pool.isCurrent(res)).toBe(true);
    }
    const header = rand80();
    const res = await pool.mine({ header80: header, target: MEDIUM });
    expectValidHit(res, header, MEDIUM);
  });

  it('an impossible target over a small range comes back exhausted, quickly', async () => {
    const res = await pool.mine(
      { header80: rand80(), target: NEVER },
      { startNonce: 1000, endNonce: 1000 + 300_000, chunkSize: 50_000 },
    );
    expect(res).toMatchObject({ status: 'exhausted', exhausted: true, hashes: 300_000 });
    expect(pool.busy).toBe(false);
    // An empty range, too.
    const empty = await pool.mine({ header80: rand80(), target: NEVER }, { endNonce: 0 });
    expect(empty.status).toBe('exhausted');
  });

  it('on exhaustion, mineUntilFound moves to a fresh template', async () => {
    const base = rand80();
    const seen: number[] = [];
    const res = await pool.mineUntilFound(
      (attempt) => {
        seen.push(attempt);
        const header = Uint8Array.from(base);
        new DataView(header.buffer).setUint32(68, 1_700_000_000 + attempt, true); // new time
        return { header80: header, target: attempt < 2 ? NEVER : EASY };
      },
      { endNonce: 20_000, chunkSize: 10_000 },
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(res.attempts).toBe(3);
    const header = Uint8Array.from(base);
    new DataView(header.buffer).setUint32(68, 1_700_000_002, true);
    expectValidHit(res, header, EASY);
  });

  it('cancel() stops a long search and resolves once the workers are idle', async () => {
    const running = pool.mine({ header80: rand80(), target: NEVER });
    await sleep(300);
    expect(pool.busy).toBe(true);
    const rate = pool.hashrate();
    expect(rate.perWorker).toHaveLength(2);
    expect(rate.total).toBeGreaterThan(0);
    for (const r of rate.perWorker) expect(r).toBeGreaterThan(0);
    await pool.cancel();
    expect(pool.busy).toBe(false);
    const res = await running;
    expect(res.status).toBe('cancelled');
    expect(pool.isCurrent(res)).toBe(false);
  });

  it('never returns a result of a superseded template', async () => {
    for (let i = 0; i < 10; i++) {
      const a = rand80();
      const b = rand80();
      // A would hit within microseconds of work, but mine(B) supersedes it at once.
      const pa = pool.mine({ header80: a, target: EASY });
      const pb = pool.mine({ header80: b, target: EASY });
      expect((await pa).status).toBe('cancelled');
      expectValidHit(await pb, b, EASY);
    }
    // cancel() then a new template: only the new template's hit comes back, although A's
    // workers find hits for A within microseconds and report them after the cancel.
    for (let i = 0; i < 10; i++) {
      const a = rand80();
      const pa = pool.mine({ header80: a, target: EASY });
      const cancelled = pool.cancel();
      const c = rand80();
      const pc = pool.mine({ header80: c, target: EASY });
      await cancelled;
      expect((await pa).status).toBe('cancelled');
      const resC = await pc;
      expectValidHit(resC, c, EASY);
      expect(pool.isCurrent(resC)).toBe(true);
    }
  });

  it('an aborted signal cancels the job', async () => {
    const ac = new AbortController();
    const p = pool.mine({ header80: rand80(), target: NEVER }, { signal: ac.signal });
    await sleep(50);
    ac.abort();
    expect((await p).status).toBe('cancelled');
    await pool.cancel(); // waits for the workers to wind down
    expect(pool.busy).toBe(false);
  });

  it('runs the JavaScript kernel when asked', async () => {
    const jsPool = new MinerPool({ threads: 1, engine: 'js' });
    try {
      expect(jsPool.engine).toBe('js');
      const header = rand80();
      expectValidHit(await jsPool.mine({ header80: header, target: EASY }), header, EASY);
      const res = await jsPool.mine({ header80: header, target: NEVER }, { endNonce: 30_000 });
      expect(res.status).toBe('exhausted');
    } finally {
      await jsPool.destroy();
    }
    expect(pool.engine).toBe('wasm'); // the default where WebAssembly SIMD exists
  });

  it.runIf(existsSync('/proc/thread-self'))(
    'workerNice lowers the priority of the worker threads only',
    async () => {
      const niceOf = (tid: string) =>
        Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const nicePool = new MinerPool({ threads: 1, workerNice: 7 });
      try {
        const res = await nicePool.mine({ header80: rand80(), target: EASY });
        expect(res.status).toBe('found');
        const nices = readdirSync('/proc/self/task').map(niceOf);
        expect(nices).toContain(7);
        expect(niceOf(String(process.pid))).toBe(0); // the caller's thread keeps its priority
      } finally {
        await nicePool.destroy();
      }
    },
  );

  it('reports hash counts per worker', async () => {
    const before = pool.totalHashes().reduce((a, b) => a + b, 0);
    await pool.mine({ header80: rand80(), target: NEVER }, { endNonce: 100_000 });
    const after = pool.totalHashes().reduce((a, b) => a + b, 0);
    expect(after - before).toBe(100_000);
  });
});
