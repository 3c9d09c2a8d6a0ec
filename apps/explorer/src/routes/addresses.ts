// An address: balances at 0/1/6 confirmations, nonce, history and pending txs.
import { explorerRoutes as S, type AddressDetail } from '@chainlab/api';
import { fetchJson, type Server } from '@chainlab/service';
import { checkedAddress, txSummary, type ApiContext } from './context.js';

export function registerAddressesRoutes(server: Server, ctx: ApiContext): void {
  const { network, index, deps, level, pendingList } = ctx;
  server.get('/api/address/:address', { schema: S['GET /api/address/:address'] }, async (req) => {
    const address = checkedAddress(req.params.address);
    const lv = level();
    const balances: Record<string, string | null> = { '0': null, '1': null, '6': null };
    let nonce: number | null = null;
    let pendingNonce: number | null = null;
    let source: 'mempool' | 'node' | null = null;
    if (lv.features.accounts && deps.mempoolUrl && network.mempool.up) {
      try {
        const [b0, b1, b6, acct] = await Promise.all([
          ...[0, 1, 6].map((c) =>
            fetchJson<{ balance: string }>(
              `${deps.mempoolUrl}/balance/${address}?confirmations=${c}`,
              { timeoutMs: 4000 },
            ),
          ),
          fetchJson<{ nonce: number; confirmedNonce?: number }>(
            `${deps.mempoolUrl}/account/${address}`,
            { timeoutMs: 4000 },
          ).catch(() => null),
        ]);
        balances['0'] = (b0 as { balance: string }).balance;
        balances['1'] = (b1 as { balance: string }).balance;
        balances['6'] = (b6 as { balance: string }).balance;
        const a = acct as { nonce: number; confirmedNonce?: number } | null;
        if (a) {
          pendingNonce = a.nonce;
          nonce = a.confirmedNonce ?? null;
        }
        source = 'mempool';
      } catch {
        source = null;
      }
    }
    if (lv.features.accounts && (source === null || nonce === null)) {
      const best = network.best();
      if (best) {
        try {
          const a = await fetchJson<{ balance: string; nonce: number }>(
            `${best.url}/account/${address}`,
            { timeoutMs: 4000 },
          );
          nonce = a.nonce;
          if (source === null) {
            balances['1'] = a.balance;
            source = 'node';
          }
        } catch {
          /* shown as unknown */
        }
      }
    }
    const entries = index.byAddress.get(address.toLowerCase()) ?? [];
    const history = entries
      .map((e) => {
        const b = index.blocks.get(e.blockHash)!;
        const t = b.analysis.txs?.find((x) => x.txid === e.txid);
        if (!t) return null;
        const lower = address.toLowerCase();
        const out = t.from?.toLowerCase() === lower;
        const inn = t.to?.toLowerCase() === lower;
        return {
          ...t,
          direction: out && inn ? 'self' : out ? 'out' : 'in',
          blockHash: e.blockHash,
          height: b.json.height,
          time: b.json.header.time,
          onBestChain: index.isActive(e.blockHash),
          confirmations: index.confirmations(e.blockHash),
        };
      })
      .filter((x) => x !== null)
      .sort((a, b) => b.height - a.height || b.index - a.index);
    const pending = (await pendingList().catch(() => []))
      .map((p, i) => ({ ...txSummary(p.txid, p.tx), position: i + 1 }))
      .filter((p) => p.from === address || p.to === address)
      .map((p) => ({
        ...p,
        direction:
          p.from === address && p.to === address ? 'self' : p.from === address ? 'out' : 'in',
      }));
    const detail = {
      address,
      level: lv.number,
      balances,
      balanceSource: source,
      nonce,
      pendingNonce,
      history,
      pending,
    };
    // The directions are computed as strings above; their values are the schema's.
    return detail as AddressDetail;
  });
}
