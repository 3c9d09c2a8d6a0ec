// The explorer server's /api, typed. Every page reads through `getJson`; devnet buttons
// post through `postJson`. Errors carry the API's `{"error": {"code", "message"}}`.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(
      res.status,
      'BAD_RESPONSE',
      `the explorer answered ${res.status} without JSON`,
    );
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText);
  }
  return body as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  return answer<T>(res);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer<T>(res);
}

export interface Info {
  name: string;
  chainId: number | null;
  spec: string | null;
  level: number | null;
  coin: { symbol: string; decimals: number };
  targetBlockTimeSeconds: number | null;
  powLimitBits: number | null;
  devnet: boolean;
  genesis: string | null;
  tracker: string | null;
  mempool: string | null;
  features: { mempool: boolean; receipt: boolean; code: boolean; storage: boolean };
  treeDepth: number;
}

export interface NodeRow {
  id: string;
  url: string;
  up: boolean;
  error: string | null;
  listed: boolean;
  live: boolean;
  devControls: boolean | null;
  height: number | null;
  tip: string | null;
  tipTime: number | null;
  tipSeenAt: number | null;
  chainwork: string | null;
  hashrate: number | null;
  threads: number | null;
  mining: boolean | null;
  pending: number | null;
  blocksFound: number | null;
  timeOffsetSeconds: number | null;
  peers: { url: string; node: string | null }[];
  onBestTip: boolean;
  /** See tipPosition in the explorer server's network.ts. */
  tipPosition:
    | { position: 'best' | 'unknown' }
    | { position: 'behind'; blocks: number }
    | { position: 'branch'; forkHeight: number | null };
}

export interface NetworkJson {
  now: number;
  best: { node: string; tip: string; height: number; chainwork: string | null } | null;
  nodes: NodeRow[];
  mempool: {
    url: string | null;
    up: boolean;
    error: string | null;
    height: number | null;
    tip: string | null;
    pending: number | null;
    held: number | null;
  };
}

export interface BlockView {
  status: string;
  active: boolean;
  failure?: { code: string; message: string };
}

export interface TreeBlock {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
  bits: number;
  chainwork: string;
  firstSeen: number;
  views: Record<string, BlockView>;
  activeOn: string[];
  invalidOn: string[];
  onBest: boolean;
}

export interface ReorgEvent {
  id: number;
  at: number;
  node: string;
  nodeUrl: string;
  oldTip: { hash: string; height: number; chainwork: string | null };
  newTip: { hash: string; height: number; chainwork: string | null };
  forkPoint: { hash: string; height: number } | null;
  disconnected: string[];
  connected: string[];
  reason: 'more-work' | 'invalidated' | 'equal-work' | 'other';
}

export interface TreeJson {
  from: number;
  to: number;
  top: number;
  best: { node: string; tip: string } | null;
  tips: {
    node: string;
    url: string;
    up: boolean;
    tip: string | null;
    height: number | null;
    chainwork: string | null;
  }[];
  blocks: TreeBlock[];
  reorgs: ReorgEvent[];
}

export interface BlockSummary {
  hash: string;
  height: number;
  time: number;
  bits: number;
  sinceParent: number | null;
  size: number | null;
  items: number;
  fees: string | null;
  miner: string | null;
  hashLeadingZeroBits: number | null;
}

export interface PowInfo {
  bits: string;
  target: string;
  meetsTarget: boolean;
  hashLeadingZeroBits: number;
  targetLeadingZeroBits: number;
  expectedHashes: string;
  log2ExpectedHashes: number;
  difficulty: number | null;
  hashToTargetRatio: number;
}

export interface TxView {
  index?: number;
  position?: number;
  txid: string;
  kind: 'coinbase' | 'transfer' | 'contract';
  from: string | null;
  to: string | null;
  amount: string;
  fee: string;
  nonce: number;
  chainId: number;
  sig: string | null;
  data?: string;
  gasLimit?: string;
  gasPrice?: string;
}

export interface BlockDetail {
  hash: string;
  height: number;
  header: {
    version: number;
    prevHash: string;
    merkleRoot: string;
    time: number;
    bits: number;
    nonce: number;
  };
  size: number | null;
  pow: PowInfo | null;
  items: { index: number; id: string; text: string; bytes: number }[] | null;
  txs: TxView[] | null;
  fees: string | null;
  coinbase: { to: string; amount: string } | null;
  decodeError?: string;
  chainwork: string | null;
  onBestChain: boolean;
  confirmations: number;
  bestHeight: number;
  nextHash: string | null;
  children: { hash: string; height: number; onBest: boolean }[];
  parentTime: number | null;
  sinceParent: number | null;
  views: ({ node: string } & BlockView)[];
}

export interface TxDetail {
  txid: string;
  kind: 'data' | 'coinbase' | 'transfer' | 'contract';
  status: 'pending' | 'confirmed' | 'stale' | string;
  tx: TxView | null;
  data?: string;
  bytes?: number;
  blockHash: string | null;
  blockHeight: number | null;
  blockTime: number | null;
  confirmations: number;
  inBlocks: { hash: string; height: number; onBestChain: boolean; confirmations: number }[];
  mempool: { status: string; position: number | null } | null;
}

export interface HistoryEntry extends TxView {
  direction: 'in' | 'out' | 'self';
  blockHash: string;
  height: number;
  time: number;
  onBestChain: boolean;
  confirmations: number;
}

export interface AddressDetail {
  address: string;
  level: number;
  balances: Record<'0' | '1' | '6', string | null>;
  balanceSource: 'mempool' | 'node' | null;
  nonce: number | null;
  pendingNonce: number | null;
  history: HistoryEntry[];
  pending: (TxView & { direction: 'in' | 'out' | 'self'; position: number })[];
}

export interface MempoolJson {
  url: string | null;
  up: boolean;
  error: string | null;
  status: Record<string, unknown> | null;
  txs: (TxView & { position: number })[];
}

/** A devnet action's answer: per-node results (POST /api/dev/fork answers its own shape). */
export interface DevResult {
  results?: {
    node: string;
    ok: boolean;
    status: number;
    code?: string;
    message?: string;
    answer?: unknown;
  }[];
}
