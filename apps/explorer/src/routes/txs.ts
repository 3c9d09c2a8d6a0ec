// A tx or data item and where it is: its blocks (the chain index) and the mempool.
import { explorerRoutes as S, type TxDetail } from '@chainlab/api';
import { fetchJson, HttpError, isPeerError, type Server } from '@chainlab/service';
import { locateTx, txStatus } from '../tx-status.js';
import { txFromJson, txSummary, upstreamMessage, type ApiContext } from './context.js';

export function registerTxsRoutes(server: Server, ctx: ApiContext): void {
  const { network, index, deps, level, pendingList } = ctx;
  server.get('/api/tx/:txid', { schema: S['GET /api/tx/:txid'] }, async (req) => {
    const id = req.params.txid.toLowerCase();
    const { blocks, activeBlock, inBlocks, item } = locateTx(index, id);
    if (item) {
      return {
        txid: id,
        kind: 'data' as const,
        status: txStatus(activeBlock !== undefined, null),
        data: item.text,
        bytes: item.bytes,
        blockHash: activeBlock?.json.hash ?? null,
        blockHeight: activeBlock?.json.height ?? null,
        blockTime: activeBlock?.json.header.time ?? null,
        confirmations: activeBlock ? index.confirmations(activeBlock.json.hash) : 0,
        inBlocks,
        tx: null,
        mempool: null,
      };
    }
    let fromMempool: {
      status: string;
      tx: unknown;
      blockHash: string | null;
      confirmations: number;
    } | null = null;
    if (deps.mempoolUrl && network.mempool.up) {
      try {
        fromMempool = await fetchJson(`${deps.mempoolUrl}/tx/${id}`, { timeoutMs: 4000 });
      } catch (e) {
        if (!isPeerError(e, 'http'))
          throw new HttpError(502, 'UPSTREAM_UNAVAILABLE', `mempool: ${upstreamMessage(e)}`);
      }
    }
    const fromBlock = activeBlock ?? blocks[0];
    const txInBlock = fromBlock?.analysis.txs?.find((t) => t.txid === id) ?? null;
    let tx: { kind: string } | null = txInBlock;
    if (!tx && fromMempool) {
      const parsed = txFromJson(fromMempool.tx, level());
      if (parsed) tx = txSummary(parsed.txid, parsed.tx);
    }
    if (!tx)
      throw new HttpError(
        404,
        'TX_NOT_FOUND',
        `no tx ${id} in the mempool or in any block the explorer knows`,
      );
    let position: number | null = null;
    if (!activeBlock && fromMempool && fromMempool.status !== 'confirmed') {
      const pending = await pendingList().catch(() => []);
      const i = pending.findIndex((p) => p.txid === id);
      position = i >= 0 ? i + 1 : null;
    }
    const status = txStatus(activeBlock !== undefined, fromMempool?.status);
    const blockHash = activeBlock?.json.hash ?? fromMempool?.blockHash ?? null;
    return {
      txid: id,
      kind: tx.kind as TxDetail['kind'],
      status,
      tx: tx as TxDetail['tx'],
      blockHash,
      blockHeight:
        activeBlock?.json.height ??
        (blockHash ? (network.known.get(blockHash)?.height ?? null) : null),
      blockTime:
        activeBlock?.json.header.time ??
        (blockHash ? (network.known.get(blockHash)?.time ?? null) : null),
      confirmations: activeBlock
        ? index.confirmations(activeBlock.json.hash)
        : (fromMempool?.confirmations ?? 0),
      inBlocks,
      mempool: fromMempool ? { status: fromMempool.status, position } : null,
    };
  });
}
