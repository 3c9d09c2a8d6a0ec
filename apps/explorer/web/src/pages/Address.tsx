// Address: balance at 0 / 1 / 6 confirmations, nonce, history, pending txs; level 3: code and storage.
import { useState } from 'preact/hooks';
import type { AddressDetail } from '../api.js';
import { Age, Coins, HashLink, Loading, Notice, Section } from '../components/common.js';
import { useInfo } from '../context.js';
import { useApi } from '../live.js';
import { getJson } from '../api.js';

function CodeSection(props: { address: string }) {
  const code = useApi<{ code?: string; [k: string]: unknown }>(`/api/code/${props.address}`, [
    'blocks',
  ]);
  const [slot, setSlot] = useState('0x0');
  const [value, setValue] = useState<string | null>(null);
  const c = code.data?.code;
  return (
    <Section title="Contract">
      {code.error && <p class="muted">{code.error.message}</p>}
      {code.data &&
        (c && c !== '0x' ? (
          <>
            <p>{(c.length - 2) / 2} bytes of EVM code (hex):</p>
            <code class="wrap code-blob">{c}</code>
          </>
        ) : (
          <p class="muted">No code: an ordinary account.</p>
        ))}
      <form
        class="dev-row"
        onSubmit={(e) => {
          e.preventDefault();
          setValue('…');
          getJson<{ value?: string }>(`/api/storage/${props.address}/${slot}`)
            .then((r) => setValue(r.value ?? JSON.stringify(r)))
            .catch((err: Error) => setValue(err.message));
        }}
      >
        <span class="field">
          <label for="slot">Storage slot</label>
          <input
            id="slot"
            value={slot}
            onInput={(e) => setSlot((e.target as HTMLInputElement).value)}
            pattern="0x[0-9a-fA-F]{1,64}"
          />
        </span>
        <button type="submit">Read</button>
        <output for="slot" aria-live="polite">
          {value !== null && <code class="wrap">{value}</code>}
        </output>
      </form>
    </Section>
  );
}

export function AddressPage(props: { address: string }) {
  const info = useInfo();
  const res = useApi<AddressDetail>(`/api/address/${encodeURIComponent(props.address)}`, [
    'blocks',
    'mempool',
  ]);
  const a = res.data;
  if (res.error && !a) {
    return (
      <>
        <h1 tabIndex={-1}>Address</h1>
        <Notice kind="error">{res.error.message}</Notice>
      </>
    );
  }
  if (!a) return <Loading what="the address" />;
  const dir = (d: string, coinbase: boolean, height = 1) =>
    coinbase
      ? height === 0
        ? 'genesis allocation'
        : 'mined (reward + fees)'
      : d === 'in'
        ? 'received'
        : d === 'out'
          ? 'sent'
          : 'to self';
  return (
    <>
      <h1 tabIndex={-1}>Address</h1>
      <p class="hash-line">
        <code data-testid="address">{a.address}</code>
      </p>
      {a.level < 2 ? (
        <Notice>This chain (level 1) carries data items only: addresses hold nothing.</Notice>
      ) : (
        <Section title="Balance">
          <dl class="stats" data-testid="balances">
            <div>
              <dt>0 confirmations</dt>
              <dd>
                <Coins units={a.balances['0']} />
              </dd>
              <dd class="small muted">including pending txs</dd>
            </div>
            <div>
              <dt>1 confirmation</dt>
              <dd>
                <Coins units={a.balances['1']} />
              </dd>
              <dd class="small muted">txs anywhere in the chain</dd>
            </div>
            <div>
              <dt>6 confirmations</dt>
              <dd>
                <Coins units={a.balances['6']} />
              </dd>
              <dd class="small muted">safe from short reorgs</dd>
            </div>
            <div>
              <dt>Nonce</dt>
              <dd>{a.nonce ?? '—'}</dd>
              <dd class="small muted">
                {a.pendingNonce !== null && a.pendingNonce !== a.nonce
                  ? `next tx: ${a.pendingNonce}`
                  : 'txs sent so far'}
              </dd>
            </div>
          </dl>
          {a.balanceSource === 'node' && (
            <p class="muted small">
              The mempool is unreachable: the balance is the best node's, at its tip.
            </p>
          )}
        </Section>
      )}
      {a.pending.length > 0 && (
        <Section title="Pending">
          <table>
            <caption class="sr-only">Pending transactions of this address</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Tx</th>
                <th scope="col">Direction</th>
                <th scope="col">Amount</th>
                <th scope="col">Fee</th>
                <th scope="col">Nonce</th>
              </tr>
            </thead>
            <tbody>
              {a.pending.map((p) => (
                <tr key={p.txid}>
                  <td class="num">{p.position}</td>
                  <td>
                    <HashLink hash={p.txid} kind="tx" />
                  </td>
                  <td>{dir(p.direction, false)}</td>
                  <td class="num">
                    <Coins units={p.amount} />
                  </td>
                  <td class="num">
                    <Coins units={p.fee} />
                  </td>
                  <td class="num">{p.nonce}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {info?.features.code && <CodeSection address={a.address} />}
      <Section title="History">
        {a.history.length === 0 ? (
          <p class="muted">No transaction in the blocks the explorer indexed.</p>
        ) : (
          <div class="table-scroll">
            <table data-testid="history">
              <caption class="sr-only">Transactions of this address, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  <th scope="col">Age</th>
                  <th scope="col">Tx</th>
                  <th scope="col">Direction</th>
                  <th scope="col">Counterparty</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Fee</th>
                  <th scope="col">Confirmations</th>
                </tr>
              </thead>
              <tbody>
                {a.history.map((h) => {
                  const other = h.direction === 'out' ? h.to : h.from;
                  return (
                    <tr key={h.txid + h.blockHash} class={h.onBestChain ? '' : 'stale-row'}>
                      <td>
                        <a href={`#/block/${h.blockHash}`}>#{h.height}</a>
                        {!h.onBestChain && <span class="small"> (stale block)</span>}
                      </td>
                      <td>
                        <Age time={h.time} />
                      </td>
                      <td>
                        <HashLink hash={h.txid} kind="tx" />
                      </td>
                      <td>{dir(h.direction, h.kind === 'coinbase', h.height)}</td>
                      <td>
                        {other ? (
                          <HashLink hash={other} kind="address" />
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                      <td class="num">
                        <Coins units={h.amount} />
                      </td>
                      <td class="num">
                        <Coins units={h.fee} />
                      </td>
                      <td class="num">{h.confirmations}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}
