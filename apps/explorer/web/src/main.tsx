// The explorer's web app: a header (navigation, search, live indicator) and one page per
// hash route (#/tree, #/block/<id>...). Data comes from /api and refreshes itself over SSE.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Info } from './api.js';
import { InfoContext, navigate } from './context.js';
import { startLive, useApi, useLiveStatus } from './live.js';
import { AddressPage } from './pages/Address.js';
import { BlockPage } from './pages/Block.js';
import { BlocksPage } from './pages/Blocks.js';
import { ForkTreePage } from './pages/ForkTree.js';
import { MempoolPage } from './pages/Mempool.js';
import { NetworkPage } from './pages/Network.js';
import { TxPage } from './pages/Tx.js';
import './styles.css';

interface Route {
  page: 'network' | 'tree' | 'blocks' | 'block' | 'tx' | 'address' | 'mempool' | 'notfound';
  arg: string;
  query: URLSearchParams;
}

function parseRoute(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const query = new URLSearchParams(qs);
  const [head, arg = ''] = parts;
  switch (head) {
    case undefined:
      return { page: 'network', arg, query };
    case 'tree':
    case 'blocks':
    case 'mempool':
      return { page: head, arg, query };
    case 'block':
    case 'tx':
    case 'address':
      return arg
        ? { page: head, arg: decodeURIComponent(arg), query }
        : { page: 'notfound', arg, query };
    default:
      return { page: 'notfound', arg, query };
  }
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
}

const NAV: {
  page: Route['page'];
  href: string;
  label: string;
  needs?: (i: Info | null) => boolean;
}[] = [
  { page: 'network', href: '#/', label: 'Network' },
  { page: 'tree', href: '#/tree', label: 'Fork tree' },
  { page: 'blocks', href: '#/blocks', label: 'Blocks' },
  { page: 'mempool', href: '#/mempool', label: 'Mempool', needs: (i) => (i?.level ?? 2) >= 2 },
];

function Search() {
  const [q, setQ] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    try {
      const r = await getJson<{ kind: 'block' | 'tx' | 'address'; id: string }>(
        `/api/search?q=${encodeURIComponent(text)}`,
      );
      navigate(`#/${r.kind}/${r.id}`);
      setQ('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'search failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form role="search" class="search" onSubmit={submit} aria-label="Search the chain">
      <label for="search-q">Search</label>
      <input
        id="search-q"
        type="search"
        value={q}
        placeholder="height, block hash, txid or address"
        aria-describedby={error ? 'search-error' : undefined}
        aria-invalid={error ? true : undefined}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        Go
      </button>
      <span id="search-error" class="search-error" role="alert">
        {error ?? ''}
      </span>
    </form>
  );
}

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.page) {
    case 'network':
      return <NetworkPage />;
    case 'tree':
      return <ForkTreePage />;
    case 'blocks': {
      const before = route.query.get('before');
      return (
        <BlocksPage before={before !== null && /^\d+$/.test(before) ? Number(before) : null} />
      );
    }
    case 'block':
      return <BlockPage key={route.arg} id={route.arg} />;
    case 'tx':
      return <TxPage key={route.arg} id={route.arg} />;
    case 'address':
      return <AddressPage key={route.arg} address={route.arg} />;
    case 'mempool':
      return <MempoolPage />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            No page here. Go to the <a href="#/">network</a>.
          </p>
        </>
      );
  }
}

function App() {
  const route = useRoute();
  const info = useApi<Info>('/api/info', ['network']);
  const live = useLiveStatus();
  const i = info.data;
  useEffect(() => {
    // A new page: move focus to its heading so screen readers and keyboards start there.
    const t = setTimeout(
      () => document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true }),
      0,
    );
    window.scrollTo(0, 0);
    return () => clearTimeout(t);
  }, [route.page, route.arg]);
  useEffect(() => {
    const title = NAV.find((n) => n.page === route.page)?.label ?? route.page;
    document.title = `${title} · chainlab explorer`;
  }, [route.page]);
  return (
    <InfoContext.Provider value={i}>
      <button
        type="button"
        class="skip"
        onClick={() => document.querySelector<HTMLElement>('main h1')?.focus()}
      >
        Skip to content
      </button>
      <header class="top">
        <div class="brand">
          <a href="#/" class="logo">
            chainlab <span>explorer</span>
          </a>
          {i && (
            <span class="chain-id" title={`chain id ${i.chainId}`}>
              {i.spec ?? 'chain'} · level {i.level ?? '?'} · chain {i.chainId ?? '?'}
              {i.devnet ? ' · devnet' : ''}
            </span>
          )}
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.needs || n.needs(i)).map((n) => (
              <li key={n.page}>
                <a href={n.href} aria-current={route.page === n.page ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <Search />
        <span
          class={`live ${live ? 'on' : 'off'}`}
          role="status"
          title={live ? 'Receiving live updates' : 'Reconnecting to the explorer…'}
        >
          <span aria-hidden="true">●</span> {live ? 'live' : 'reconnecting'}
        </span>
      </header>
      <main id="main">
        <Page route={route} />
      </main>
      <footer class="foot">
        chainlab explorer · data from {i?.tracker ? <code>{i.tracker}</code> : 'the nodes'}
        {i?.mempool ? (
          <>
            {' '}
            and <code>{i.mempool}</code>
          </>
        ) : null}
        {' · '}
        <a href="/api/info">API</a>
      </footer>
    </InfoContext.Provider>
  );
}

startLive();
render(<App />, document.getElementById('app')!);
