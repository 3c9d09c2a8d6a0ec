// Live data: one EventSource on /api/events tells which views changed; `useApi` re-reads
// its path when a change it cares about arrives, keeping the old data on screen meanwhile.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, type ReorgEvent } from './api.js';

export type Kind = 'network' | 'tree' | 'blocks' | 'mempool';
const ALL: Kind[] = ['network', 'tree', 'blocks', 'mempool'];

type Listener = (kinds: Kind[], reorgs: ReorgEvent[]) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(up: boolean) => void>();
let liveUp = false;
let source: EventSource | null = null;

function setUp(up: boolean): void {
  if (up === liveUp) return;
  liveUp = up;
  for (const l of statusListeners) l(up);
}

function dispatch(kinds: Kind[], reorgs: ReorgEvent[]): void {
  for (const l of listeners) l(kinds, reorgs);
}

export function startLive(): void {
  if (source) return;
  source = new EventSource('/api/events');
  // (Re)connected: anything may have changed while we were away.
  source.addEventListener('hello', () => {
    setUp(true);
    dispatch(ALL, []);
  });
  source.addEventListener('update', (e) => {
    setUp(true);
    try {
      const msg = JSON.parse((e as MessageEvent<string>).data) as {
        kinds: Kind[];
        reorgs: ReorgEvent[];
      };
      dispatch(msg.kinds, msg.reorgs ?? []);
    } catch {
      /* ignore a malformed event */
    }
  });
  source.addEventListener('error', () => setUp(false));
}

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLiveStatus(): boolean {
  const [up, set] = useState(liveUp);
  useEffect(() => {
    statusListeners.add(set);
    set(liveUp);
    return () => statusListeners.delete(set);
  }, []);
  return up;
}

export interface ApiState<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` now, and again whenever one of `kinds` changes (one request at a time). */
export function useApi<T>(path: string | null, kinds: Kind[]): ApiState<T> {
  const [state, setState] = useState<{
    data: T | null;
    error: Error | null;
    loading: boolean;
    path: string | null;
  }>({
    data: null,
    error: null,
    loading: path !== null,
    path,
  });
  const reloadRef = useRef<() => void>(() => undefined);
  const kindsKey = kinds.join(',');
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    let inFlight = false;
    let again = false;
    const controller = new AbortController();
    setState((s) =>
      s.path === path ? { ...s, loading: true } : { data: null, error: null, loading: true, path },
    );
    const load = async (): Promise<void> => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const data = await getJson<T>(path, controller.signal);
        if (!cancelled) setState({ data, error: null, loading: false, path });
      } catch (e) {
        if (!cancelled)
          setState((s) => ({
            data: s.path === path ? s.data : null,
            error: e as Error,
            loading: false,
            path,
          }));
      } finally {
        inFlight = false;
        if (again && !cancelled) {
          again = false;
          void load();
        }
      }
    };
    reloadRef.current = () => void load();
    void load();
    const wanted = new Set(kindsKey.split(','));
    const off = onLive((changed) => {
      if (changed.some((k) => wanted.has(k))) void load();
    });
    return () => {
      cancelled = true;
      controller.abort();
      off();
    };
  }, [path, kindsKey]);
  const current = state.path === path ? state : { data: null, error: null, loading: true };
  return {
    data: current.data,
    error: current.error,
    loading: current.loading,
    reload: () => reloadRef.current(),
  };
}

/** The current time, re-rendered every `ms` (ages count up on screen). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
