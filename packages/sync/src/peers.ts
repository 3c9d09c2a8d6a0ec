// Finding peers and staying in sync with them:
//  - register our public URL with the tracker, again before its TTL runs out (heartbeat);
//  - ask the tracker for live nodes and dial each over WebSocket (gossip.ts);
//  - as a fallback that needs no WebSocket, poll every peer's GET /tip over REST and, when a
//    peer has more work, fetch the blocks we lack with GET /blockchain?from=&limit=.
// Every request has a timeout: a slow or silent tracker or peer stalls nothing.
import { parseBlock, type Block } from '@chainlab/core';
import { fetchJson } from '@chainlab/service';
import type { Logger } from '@chainlab/service';
import type { ChainService } from './chain-service.js';
import type { Gossip } from './gossip.js';

export interface PeerOptions {
  trackerUrl: string | undefined;
  publicUrl: string | null;
  /** Extra peers to dial without a tracker. */
  staticPeers?: string[];
  discoverIntervalMs?: number;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
}

interface TipAnswer {
  height: number;
  hash: string;
  chainwork: string;
}

const REST_BATCH = 200;

export class PeerManager {
  private known = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private registeredOnce = false;
  private trackerDown = false;
  private polling = new Set<string>();

  constructor(
    private readonly service: ChainService,
    private readonly gossip: Gossip,
    private readonly options: PeerOptions,
    private readonly log: Logger,
  ) {
    for (const url of options.staticPeers ?? []) this.known.add(url);
  }

  knownPeers(): string[] {
    return [...this.known].sort();
  }

  start(): void {
    // Static peers are dialled at once, not after the tracker answers (or times out).
    for (const url of this.options.staticPeers ?? []) void this.gossip.connect(url);
    const discover = () => void this.discover();
    discover();
    this.timers.push(setInterval(discover, this.options.discoverIntervalMs ?? 2_000));
    this.timers.push(setInterval(() => void this.pollAll(), this.options.pollIntervalMs ?? 5_000));
  }

  /** Stops polling and leaves the tracker at once, rather than after its TTL. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const { trackerUrl, publicUrl } = this.options;
    if (trackerUrl && publicUrl && this.registeredOnce) {
      await fetchJson(`${trackerUrl}/unregister`, {
        method: 'POST',
        body: { url: publicUrl },
        timeoutMs: 1000,
      }).catch(() => undefined);
    }
  }

  private get timeout(): number {
    return this.options.requestTimeoutMs ?? 3_000;
  }

  /** Register (heartbeat), fetch the node list, dial the ones we are not connected to. */
  private async discover(): Promise<void> {
    const tracker = this.options.trackerUrl;
    if (tracker) {
      try {
        if (this.options.publicUrl) {
          await fetchJson(`${tracker}/register`, {
            method: 'POST',
            body: { url: this.options.publicUrl },
            timeoutMs: this.timeout,
          });
          if (!this.registeredOnce)
            this.log.info({ tracker, url: this.options.publicUrl }, 'registered with the tracker');
          this.registeredOnce = true;
        }
        const nodes = await fetchJson<unknown>(`${tracker}/nodes`, { timeoutMs: this.timeout });
        if (Array.isArray(nodes)) {
          // The tracker's list is the live one: nodes that left (their entry expired) are
          // forgotten, so we stop dialling and polling them. Static peers always stay.
          this.known = new Set(this.options.staticPeers ?? []);
          for (const url of nodes)
            if (typeof url === 'string' && url !== this.options.publicUrl) this.known.add(url);
        }
        if (this.trackerDown) this.log.info({ tracker }, 'tracker reachable again');
        this.trackerDown = false;
      } catch (e) {
        if (!this.trackerDown)
          this.log.warn(
            { tracker, err: (e as Error).message },
            'tracker unreachable; keeping known peers',
          );
        this.trackerDown = true;
      }
    }
    await Promise.all([...this.known].map((url) => this.gossip.connect(url)));
  }

  private async pollAll(): Promise<void> {
    await Promise.all([...this.known].map((url) => this.poll(url)));
  }

  /** The REST fallback for one peer: if it has more work than we do, fetch what we lack. */
  private async poll(url: string): Promise<void> {
    if (this.polling.has(url) || this.gossip.isBanned(url)) return;
    this.polling.add(url);
    try {
      const tip = await fetchJson<TipAnswer>(`${url}/tip`, { timeoutMs: this.timeout });
      if (
        BigInt(tip.chainwork) <= this.service.chain.tip.chainwork ||
        this.service.chain.has(tip.hash)
      )
        return;
      await this.fetchMissing(url, tip);
    } catch (e) {
      this.log.debug({ peer: url, err: (e as Error).message }, 'REST poll failed');
    } finally {
      this.polling.delete(url);
    }
  }

  /**
   * Fetches the peer's active chain from the highest height we may share, stepping back
   * (doubling) while its first block's parent is unknown to us — the REST form of a locator.
   */
  private async fetchMissing(url: string, tip: TipAnswer): Promise<void> {
    const chain = this.service.chain;
    let back = 1;
    let from = Math.min(chain.height, tip.height);
    for (let attempts = 0; attempts < 64; attempts++) {
      const page = await this.fetchPage(url, from);
      if (page.length === 0) return;
      if (!chain.get(page[0]!.header.prevHash) && from > 0) {
        from = Math.max(0, from - back);
        back *= 2;
        continue;
      }
      const bad = (await this.service.submitMany(page, 'peer')).find(
        (r) => r.status === 'invalid' && r.error?.code !== 'TIME_TOO_NEW',
      );
      if (bad) {
        this.log.warn(
          { peer: url, code: bad.error?.code },
          'peer served an invalid block over REST',
        );
        return;
      }
      const last = page[page.length - 1]!;
      if (last.height >= tip.height || page.length < REST_BATCH) return;
      from = last.height + 1;
    }
  }

  private async fetchPage(url: string, from: number): Promise<Block[]> {
    const answer = await fetchJson<{ blocks: unknown[] }>(
      `${url}/blockchain?from=${from}&limit=${REST_BATCH}`,
      {
        timeoutMs: this.timeout * 3,
      },
    );
    return (answer.blocks ?? []).map((b) => parseBlock(b, this.service.spec));
  }
}
