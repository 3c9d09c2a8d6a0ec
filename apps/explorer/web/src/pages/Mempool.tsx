// Mempool: pending txs in inclusion order (per sender by nonce), live.
import type { MempoolJson } from '../api.js';
import { Coins, HashLink, Loading, Notice, Section } from '../components/common.js';
import { useInfo } from '../context.js';
import { useApi } from '../live.js';

export function MempoolPage() {
  const info = useInfo();
  const res = useApi<MempoolJson>('/api/mempool', ['mempool', 'blocks']);
  const m = res.data;
  return (
    <>
      <h1 tabIndex={-1}>Mempool</h1>
      <p class="lead">
        Transactions waiting for a block, in the order miners include them: by fee, each sender’s
        txs by nonce. Mined txs leave the list; a reorg can bring them back.
      </p>
      {info && (info.level ?? 1) < 2 && (
        <Notice>
          This chain (level 1) has no transactions: data items go straight to a node (POST /data).
        </Notice>
      )}
      {res.error && <Notice kind="error">{res.error.message}</Notice>}
      {!m && !res.error && <Loading what="the mempool" />}
      {m && !m.up && (
        <Notice kind="error">
          The mempool {m.url ? <code>{m.url}</code> : ''} is unreachable
          {m.error ? `: ${m.error}` : ''}.
        </Notice>
      )}
      {m && m.up && (
        <Section title={`Pending (${m.txs.length})`} id="pending">
          {m.txs.length === 0 ? (
            <p class="muted">Empty: every tx is in a block.</p>
          ) : (
            <div class="table-scroll">
              <table data-testid="mempool-table">
                <caption class="sr-only">Pending transactions in inclusion order</caption>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Txid</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Fee</th>
                    <th scope="col">Nonce</th>
                  </tr>
                </thead>
                <tbody>
                  {m.txs.map((t) => (
                    <tr key={t.txid}>
                      <td class="num">{t.position}</td>
                      <td>
                        <HashLink hash={t.txid} kind="tx" />
                      </td>
                      <td>
                        <HashLink hash={t.from} kind="address" />
                      </td>
                      <td>{t.to ? <HashLink hash={t.to} kind="address" /> : 'new contract'}</td>
                      <td class="num">
                        <Coins units={t.amount} />
                      </td>
                      <td class="num">
                        <Coins units={t.fee} />
                      </td>
                      <td class="num">{t.nonce}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      )}
    </>
  );
}
