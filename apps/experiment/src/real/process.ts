// Starting built chainlab services (apps/<name>/dist/main.js) as child processes, reading
// their JSON log lines, and stopping them (SIGTERM, or SIGKILL for a crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseListeningLine } from '@chainlab/service';

export interface Service {
  name: string;
  url: string;
  port: number;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait, SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL: a crash. */
  kill9(): Promise<void>;
}

export function appScript(root: string, app: string): string {
  const p = path.join(root, 'apps', app, 'dist', 'main.js');
  if (!existsSync(p))
    throw new Error(`${path.relative(root, p)} does not exist: build first (pnpm build)`);
  return p;
}

/**
 * Spawns `node <script> ...args`, waits for its listening line. `onRecord` gets every stdout
 * line that parses as JSON (the pino log records), `echo` every line.
 */
export async function startService(
  name: string,
  script: string,
  args: string[],
  opts: {
    onRecord?: (r: Record<string, unknown>) => void;
    echo?: (line: string) => void;
    readyTimeoutMs?: number;
  } = {},
): Promise<Service> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) env[k] = v;
  env.CHAINLAB_LOG_FORMAT = 'json';
  const proc = spawn(process.execPath, [script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let tail = '';
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      opts.echo?.(`[${name}] ${line}`);
      tail = (tail + line + '\n').slice(-4000);
      const listening = parseListeningLine(line);
      if (listening) resolve(listening.url);
      if (opts.onRecord && line.startsWith('{')) {
        try {
          opts.onRecord(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log record
        }
      }
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      opts.echo?.(`[${name}] ${line}`);
      tail = (tail + line + '\n').slice(-4000);
    });
    void exited.then((e) =>
      reject(
        new Error(`${name} exited (code ${e.code}, signal ${e.signal}) before listening:\n${tail}`),
      ),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`${name} did not start within ${opts.readyTimeoutMs ?? 60_000} ms:\n${tail}`),
        ),
      opts.readyTimeoutMs ?? 60_000,
    );
  });
  let url: string;
  try {
    url = await Promise.race([ready, timeout]);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  } finally {
    clearTimeout(timer);
  }
  let done = false;
  void exited.then(() => (done = true));
  return {
    name,
    url,
    port: Number(new URL(url).port),
    proc,
    exited,
    async stop(timeoutMs = 15_000) {
      if (done) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    },
    async kill9() {
      if (done) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
