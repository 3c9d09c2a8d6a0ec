// The tracker's state: the set of node URLs that registered within the last TTL.
// Pure domain logic with an injected clock: no HTTP, no timers.

import { checkServiceUrl } from '@chainlab/service';

export interface RegistryOptions {
  /** An entry not re-registered within this many ms drops out. */
  ttlMs: number;
  /** At most this many live entries; a new URL beyond it is refused. */
  maxNodes: number;
  /** Consecutive failed health probes after which an entry is dropped (default 2). */
  maxProbeFailures?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
}

export type RegistryErrorCode = 'INVALID_URL' | 'TRACKER_FULL';

export type RegisterResult =
  | { ok: true; url: string; isNew: boolean; expiresAt: number }
  | { ok: false; code: RegistryErrorCode; message: string };

export type ProbeOutcome = 'kept' | 'dropped' | 'unknown';

interface Entry {
  url: string;
  registeredAt: number;
  lastSeen: number;
  probeFailures: number;
}

export class NodeRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  readonly ttlMs: number;
  readonly maxNodes: number;
  readonly maxProbeFailures: number;

  constructor(opts: RegistryOptions) {
    if (!(opts.ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${opts.ttlMs}`);
    if (!Number.isInteger(opts.maxNodes) || opts.maxNodes < 1) {
      throw new RangeError(`maxNodes must be an integer >= 1, got ${opts.maxNodes}`);
    }
    this.ttlMs = opts.ttlMs;
    this.maxNodes = opts.maxNodes;
    this.maxProbeFailures = opts.maxProbeFailures ?? 2;
    this.now = opts.now ?? Date.now;
  }

  /** TTL as announced to nodes, in whole seconds (rounded up). */
  get ttlSeconds(): number {
    return Math.ceil(this.ttlMs / 1000);
  }

  private isLive(e: Entry, now: number): boolean {
    return now - e.lastSeen < this.ttlMs;
  }

  /**
   * Registers (or refreshes) a node URL. The URL is normalized (see checkServiceUrl);
   * a refresh extends the entry's life by a full TTL and clears its probe failures.
   * A new URL when `maxNodes` live entries exist is refused with TRACKER_FULL.
   */
  register(rawUrl: unknown): RegisterResult {
    const checked = checkServiceUrl(rawUrl);
    if (!checked.ok) return { ok: false, code: 'INVALID_URL', message: checked.reason };
    const url = checked.url;
    const now = this.now();
    const existing = this.entries.get(url);
    if (existing && this.isLive(existing, now)) {
      existing.lastSeen = now;
      existing.probeFailures = 0;
      return { ok: true, url, isNew: false, expiresAt: now + this.ttlMs };
    }
    if (existing) this.entries.delete(url);
    if (this.entries.size >= this.maxNodes) this.evictExpired();
    if (this.entries.size >= this.maxNodes) {
      return {
        ok: false,
        code: 'TRACKER_FULL',
        message: `the tracker already has ${this.maxNodes} live nodes`,
      };
    }
    this.entries.set(url, { url, registeredAt: now, lastSeen: now, probeFailures: 0 });
    return { ok: true, url, isNew: true, expiresAt: now + this.ttlMs };
  }

  /** Removes a node; true when it was registered (and live). Invalid URLs are simply absent. */
  unregister(rawUrl: unknown): boolean {
    const checked = checkServiceUrl(rawUrl);
    if (!checked.ok) return false;
    const e = this.entries.get(checked.url);
    if (!e) return false;
    this.entries.delete(checked.url);
    return this.isLive(e, this.now());
  }

  /** Live node URLs, oldest registration first. */
  list(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const e of this.entries.values()) if (this.isLive(e, now)) out.push(e.url);
    return out;
  }

  /** Whether `url` (normalized or not) is live. */
  has(rawUrl: unknown): boolean {
    const checked = checkServiceUrl(rawUrl);
    if (!checked.ok) return false;
    const e = this.entries.get(checked.url);
    return e !== undefined && this.isLive(e, this.now());
  }

  /** Number of live entries. */
  get size(): number {
    return this.list().length;
  }

  /** Drops expired entries; returns their URLs. */
  evictExpired(): string[] {
    const now = this.now();
    const gone: string[] = [];
    for (const [url, e] of this.entries) {
      if (!this.isLive(e, now)) {
        this.entries.delete(url);
        gone.push(url);
      }
    }
    return gone;
  }

  /**
   * Records a health probe of `url`: a success clears its failure count; after
   * `maxProbeFailures` consecutive failures the entry is dropped.
   */
  recordProbe(url: string, ok: boolean): ProbeOutcome {
    const e = this.entries.get(url);
    if (!e) return 'unknown';
    if (ok) {
      e.probeFailures = 0;
      return 'kept';
    }
    e.probeFailures += 1;
    if (e.probeFailures >= this.maxProbeFailures) {
      this.entries.delete(url);
      return 'dropped';
    }
    return 'kept';
  }
}
