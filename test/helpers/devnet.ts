// `pnpm dev` (scripts/dev.mjs) as a child process, on a port base whose ports are all free.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT, type ExitInfo } from './service.js';
import { waitFor } from './poll.js';

/** The ports dev.mjs uses for a base (see its --help). */
export function devnetPorts(base: number, nodes: number): number[] {
  return [base, base + 100, base + 200, ...Array.from({ length: nodes }, (_, i) => base + 301 + i)];
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A random port base (20000..59000) whose devnet ports are all free right now. */
export async function freePortBase(nodes = 3): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + 10 * Math.floor(Math.random() * 3_900);
    const free = await Promise.all(devnetPorts(base, nodes).map(portIsFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port base found');
}

export interface Devnet {
  proc: ChildProcess;
  portBase: number;
  nodeUrls: string[];
  mempoolUrl: string;
  trackerUrl: string;
  explorerUrl: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<ExitInfo>;
  /** Resolves once the banner's last line is out; rejects if dev.mjs exits first. */
  banner(timeoutMs?: number): Promise<void>;
  /** SIGINT (as Ctrl-C), then waits up to `timeoutMs` (default 90 s) for the exit. */
  interrupt(timeoutMs?: number): Promise<ExitInfo>;
}

const live = new Set<ChildProcess>();

/** Starts `node scripts/dev.mjs ...args` (the built services must exist). */
export function startDevnet(
  args: readonly string[],
  o: { portBase: number; nodes: number },
): Devnet {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) env[k] = v;
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/dev.mjs'), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<ExitInfo>((resolve) =>
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    }),
  );
  let exitInfo: ExitInfo | undefined;
  void exited.then((e) => (exitInfo = e));
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    proc,
    portBase: o.portBase,
    nodeUrls: Array.from({ length: o.nodes }, (_, i) => url(o.portBase + 301 + i)),
    mempoolUrl: url(o.portBase + 200),
    trackerUrl: url(o.portBase + 100),
    explorerUrl: url(o.portBase),
    stdout: () => out,
    stderr: () => err,
    exited,
    async banner(timeoutMs = 180_000) {
      await waitFor(
        () => {
          if (exitInfo)
            throw new Error(`dev.mjs exited (${JSON.stringify(exitInfo)}): ${err}\n${out}`);
          return out.includes('Ctrl-C stops everything');
        },
        { timeoutMs, intervalMs: 200, message: 'the devnet banner' },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
      });
    },
    async interrupt(timeoutMs = 90_000) {
      if (!exitInfo) proc.kill('SIGINT');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

// An interrupted test run leaves no devnet behind (dev.mjs stops its children on SIGTERM).
process.on('exit', () => {
  for (const p of live) p.kill('SIGTERM');
});
