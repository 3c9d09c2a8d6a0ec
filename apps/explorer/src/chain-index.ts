// An index of the best node's active chain, kept by the explorer: blocks by height, txs and
// data items by id, txs by address. It follows whichever node has the most work, re-reading
// from the fork point when that chain changes (so a reorg re-indexes only what changed).
// Blocks of side branches fetched for display stay in `blocks` and in the id maps; lookups
// say whether the block holding an item is on the active chain.
import { headerWork } from '@chainlab/core';
import { fetchJson, type Logger } from '@chainlab/service';
import { analyzeBlock, type BlockAnalysis, type BlockJson } from './analysis.js';

export interface IndexedBlock {
  json: BlockJson;
  analysis: BlockAnalysis;
}

export interface AddressEntry {
  txid: string;
  blockHash: string;
}

const PAGE = 200;

export class ChainIndex {
  /** Hash of the active block at each height. */
  active: string[] = [];
  /** Chainwork (Σ work of the block and its ancestors) at each active height. */
  private work: bigint[] = [];
  readonly blocks = new Map<string, IndexedBlock>();
  /** txid or data item id → hashes of the blocks containing it. */
  readonly items = new Map<string, Set<string>>();
  /** lowercase address → txs sending from or paying to it. */
  readonly byAddress = new Map<string, AddressEntry[]>();
  source: string | null = null;
  private running: Promise<void> | null = null;
  private wanted: { url: string; tip: string } | null = null;

  constructor(
    /** The chain's level and pow limit, known once a node has answered. */
    private readonly chain: () => { level: number; powLimitBits: number | undefined },
    private readonly log: Logger,
  ) {}

  /** Chainwork of an active block as 0x hex (as the nodes show it), else null. */
  chainwork(hash: string): string | null {
    const h = this.blocks.get(hash)?.json.height;
    if (h === undefined || this.active[h] !== hash || this.work[h] === undefined) return null;
    return '0x' + this.work[h].toString(16);
  }

  get height(): number {
    return this.active.length - 1;
  }

  get tip(): string | null {
    return this.active.at(-1) ?? null;
  }

  isActive(hash: string, height?: number): boolean {
    const h = height ?? this.blocks.get(hash)?.json.height;
    return h !== undefined && this.active[h] === hash;
  }

  confirmations(hash: string): number {
    const b = this.blocks.get(hash);
    if (!b || !this.isActive(hash)) return 0;
    return this.height - b.json.height + 1;
  }

  /** Adds a block (active or not) and indexes its payload. Idempotent. */
  add(json: BlockJson): IndexedBlock {
    const have = this.blocks.get(json.hash);
    if (have) return have;
    const { level, powLimitBits } = this.chain();
    const analysis = analyzeBlock(json, level, powLimitBits);
    const entry = { json, analysis };
    this.blocks.set(json.hash, entry);
    const ids = analysis.txs?.map((t) => t.txid) ?? analysis.items?.map((i) => i.id) ?? [];
    for (const id of ids) {
      let set = this.items.get(id);
      if (!set) this.items.set(id, (set = new Set()));
      set.add(json.hash);
    }
    for (const tx of analysis.txs ?? []) {
      for (const a of new Set(
        [tx.from, tx.to].filter((x): x is string => !!x).map((x) => x.toLowerCase()),
      )) {
        let list = this.byAddress.get(a);
        if (!list) this.byAddress.set(a, (list = []));
        list.push({ txid: tx.txid, blockHash: json.hash });
      }
    }
    return entry;
  }

  /** Brings the index to `tip` as `url` sees it. Concurrent calls coalesce into one run. */
  sync(url: string, tip: string): Promise<void> {
    this.wanted = { url, tip };
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        for (let i = 0; i < 20 && this.wanted; i++) {
          const w = this.wanted;
          this.wanted = null;
          if (this.tip === w.tip) continue;
          await this.syncOnce(w.url);
          this.log.debug(
            { height: this.height, tip: this.tip, wanted: w.tip, source: w.url },
            'index synced',
          );
        }
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'index sync failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async syncOnce(url: string): Promise<void> {
    this.source = url;
    // Find the highest height where our chain and the node's agree, stepping back faster
    // and faster (a deep reorg costs log(depth) requests).
    let h = this.active.length - 1;
    let step = 1;
    while (h >= 0) {
      let theirs: { hash: string } | null = null;
      try {
        theirs = await fetchJson<{ hash: string }>(`${url}/block/${h}`, { timeoutMs: 5000 });
      } catch {
        theirs = null; // shorter chain: step back
      }
      if (theirs?.hash === this.active[h]) break;
      h = Math.max(-1, h - step);
      step *= 2;
    }
    if (h < this.active.length - 1)
      this.log.debug({ from: h + 1, was: this.active.length - 1 }, 'index rewinds');
    this.active.length = h + 1;
    this.work.length = h + 1;
    for (let guard = 0; guard < 100_000; guard++) {
      const from = this.active.length;
      const page = await fetchJson<{ length: number; blocks: BlockJson[] }>(
        `${url}/blockchain?from=${from}&limit=${PAGE}`,
        {
          timeoutMs: 15_000,
        },
      );
      for (const b of page.blocks) {
        const prev = this.active.at(-1);
        if (b.height !== this.active.length || (prev !== undefined && b.header.prevHash !== prev)) {
          // The node's chain moved under us: the next sync round starts over from the fork.
          this.wanted ??= { url, tip: '' };
          return;
        }
        this.add(b);
        let w = 0n;
        try {
          w = headerWork(b.header.bits);
        } catch {
          /* bad bits: no work */
        }
        this.work.push((this.work.at(-1) ?? 0n) + w);
        this.active.push(b.hash);
      }
      if (page.blocks.length === 0 || this.active.length >= page.length) return;
    }
  }

  /** A block by hash from the index, else from the first of `urls` that has it (then cached). */
  async fetchBlock(hash: string, urls: string[]): Promise<IndexedBlock | null> {
    const have = this.blocks.get(hash);
    if (have) return have;
    for (const url of urls) {
      try {
        return this.add(
          await fetchJson<BlockJson>(`${url}/block/hash/${hash}`, { timeoutMs: 5000 }),
        );
      } catch {
        /* try the next node */
      }
    }
    return null;
  }
}
