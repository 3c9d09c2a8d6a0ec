// Pending txs survive a restart: on shutdown the pool is written to <data-dir>/mempool.json
// (ready txs in inclusion order, then held ones); on start each is admitted again through
// the normal path (signature, nonce, funds on the tip the chain replayed to), like
// Bitcoin Core's mempool.dat. A missing or unreadable file just means an empty pool.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTx, txToJson } from '@chainlab/core';
import type { Logger } from '@chainlab/service';
import type { Mempool } from './mempool.js';

export const POOL_FILE = 'mempool.json';
const CHUNK = 2_000;

export async function savePool(mempool: Mempool, dataDir: string): Promise<number> {
  const pool = mempool.pool;
  const ready = pool.ordered();
  const held = [...pool.entries()].filter((e) => e.status === 'held').sort((a, b) => a.seq - b.seq);
  const txs = [...ready, ...held].map((e) => txToJson(e.tx));
  const file = join(dataDir, POOL_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify({ version: 1, txs }));
  await rename(`${file}.tmp`, file);
  return txs.length;
}

export async function loadPool(
  mempool: Mempool,
  dataDir: string,
  log?: Logger,
): Promise<{ loaded: number; refused: number }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dataDir, POOL_FILE), 'utf8'));
  } catch {
    return { loaded: 0, refused: 0 };
  }
  const list = (json as { txs?: unknown }).txs;
  if (!Array.isArray(list)) return { loaded: 0, refused: 0 };
  let loaded = 0;
  // In chunks, so the verifier queue never overflows; admission keeps the file's order.
  for (let i = 0; i < list.length; i += CHUNK) {
    const results = await Promise.allSettled(
      list
        .slice(i, i + CHUNK)
        .map(async (item) =>
          mempool.admit(
            parseTx(item, { maxAmount: mempool.spec.maxAmount, level: mempool.spec.level }),
          ),
        ),
    );
    loaded += results.filter((r) => r.status === 'fulfilled').length;
  }
  if (list.length > 0) log?.info({ loaded, refused: list.length - loaded }, 'pending txs restored');
  return { loaded, refused: list.length - loaded };
}
