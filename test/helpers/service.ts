// Start built chainlab services (apps/<name>/dist/main.js) as real child processes on
// free ports, and clean them up. Shared by every e2e test.
//
//   const tracker = await spawnService('tracker', ['--ttl', '2']);
//   tracker.url            // from its listening line, e.g. http://127.0.0.1:41234
//   await tracker.stop()   // SIGTERM, then { code, signal }
//
// Set CHAINLAB_TEST_ECHO=1 to see the children's output live.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseListeningLine } from '@chainlab/service';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() had to SIGKILL the process after its deadline. */
  forced?: boolean;
}

export interface ServiceProcess {
  /** App name (`tracker`, `node`, `mempool`). */
  name: string;
  /** Base URL from the listening line, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  logs(): string;
  /** stdout lines that parse as JSON (the pino log records). */
  logRecords(): Record<string, unknown>[];
  /** Resolves when the process exits. */
  exited: Promise<ExitInfo>;
  /** Exit info once exited, else undefined. */
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM (or `signal`), wait up to `timeoutMs` (default 20 s), then SIGKILL if needed. */
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitInfo>;
  /** SIGKILL: a crash, no cleanup. */
  kill9(): Promise<ExitInfo>;
}

export interface SpawnOptions {
  /** Deadline for the listening line (default 60 s). */
  readyTimeoutMs?: number;
  /** Script to run instead of apps/<name>/dist/main.js (relative to the repo root). */
  script?: string;
  cwd?: string;
}

const live = new Set<ServiceProcess>();
const MAX_LOG_CHARS = 4 * 1024 * 1024;

/**
 * Starts `node apps/<name>/dist/main.js ...args` with `--port 0` (unless args set a
 * port), waits for its listening line and returns a handle. `env` is added to the
 * environment; inherited CHAINLAB_* variables are removed so tests are hermetic.
 * Rejects (and kills the process) if it exits or stays silent before listening.
 */
export async function spawnService(
  name: string,
  args: readonly string[] = [],
  env: Record<string, string | undefined> = {},
  opts: SpawnOptions = {},
): Promise<ServiceProcess> {
  const script = opts.script ?? `apps/${name}/dist/main.js`;
  const scriptPath = path.resolve(REPO_ROOT, script);
  if (!existsSync(scriptPath))
    throw new Error(`${script} does not exist: build first (pnpm build)`);
  const hasPort = args.some((a) => a === '--port' || a.startsWith('--port='));
  const argv = [scriptPath, ...args, ...(hasPort ? [] : ['--port', '0'])];
  const childEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) childEnv[k] = v;
  // Every response is checked against its documented schema; a mismatch is logged
  // ("response does not match its schema"), which test/api.e2e.test.ts looks for.
  childEnv.CHAINLAB_CHECK_RESPONSES = '1';
  Object.assign(childEnv, env);

  const proc = spawn(process.execPath, argv, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const echo = process.env.CHAINLAB_TEST_ECHO === '1';
  let log = '';
  let exit: ExitInfo | undefined;
  const append = (s: string): void => {
    log += s;
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS);
    if (echo) process.stderr.write(s.replace(/^(?=.)/gm, `[${name}:${proc.pid}] `));
  };
  const exited = new Promise<ExitInfo>((resolve) => {
    proc.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const ready = new Promise<string>((resolve, reject) => {
    const out = createInterface({ input: proc.stdout! });
    out.on('line', (line) => {
      append(`${line}\n`);
      const parsed = parseListeningLine(line);
      if (parsed) resolve(parsed.url);
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => append(`${line}\n`));
    proc.on('error', reject);
    void exited.then((e) =>
      reject(
        new Error(
          `${name} exited (code ${e.code}, signal ${e.signal}) before listening. Output:\n${log}`,
        ),
      ),
    );
  });

  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${name} printed no listening line within ${readyTimeoutMs} ms. Output:\n${log}`,
          ),
        ),
      readyTimeoutMs,
    );
  });

  const forget = (): void => {
    for (const s of live) if (s.proc === proc) live.delete(s);
  };
  const stop = async (
    o: { signal?: NodeJS.Signals; timeoutMs?: number } = {},
  ): Promise<ExitInfo> => {
    if (exit) return exit;
    proc.kill(o.signal ?? 'SIGTERM');
    let t: NodeJS.Timeout | undefined;
    const forced = new Promise<ExitInfo>((resolve) => {
      t = setTimeout(() => {
        proc.kill('SIGKILL');
        void exited.then((e) => resolve({ ...e, forced: true }));
      }, o.timeoutMs ?? 20_000);
    });
    try {
      return await Promise.race([exited, forced]);
    } finally {
      clearTimeout(t);
      forget();
    }
  };
  const kill9 = async (): Promise<ExitInfo> => {
    if (!exit) proc.kill('SIGKILL');
    const e = await exited;
    forget();
    return e;
  };

  let url: string;
  try {
    url = await Promise.race([ready, timeout]);
  } catch (e) {
    await kill9();
    throw e;
  } finally {
    clearTimeout(timer);
  }

  const handle: ServiceProcess = {
    name,
    url,
    port: Number(new URL(url).port),
    proc,
    logs: () => log,
    logRecords: () =>
      log
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    exitInfo: () => exit,
    stop,
    kill9,
  };
  live.add(handle);
  return handle;
}

export interface RunResult extends ExitInfo {
  stdout: string;
  stderr: string;
}

/**
 * Runs `node apps/<name>/dist/main.js ...args` to completion (for --help, usage errors,
 * CLI commands) and returns its exit status and output. Killed after `timeoutMs`
 * (default 60 s), which then shows as signal SIGKILL.
 */
export async function runToExit(
  name: string,
  args: readonly string[] = [],
  env: Record<string, string | undefined> = {},
  opts: { script?: string; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const scriptPath = path.resolve(REPO_ROOT, opts.script ?? `apps/${name}/dist/main.js`);
  if (!existsSync(scriptPath))
    throw new Error(`${scriptPath} does not exist: build first (pnpm build)`);
  const childEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) childEnv[k] = v;
  // Every response is checked against its documented schema; a mismatch is logged
  // ("response does not match its schema"), which test/api.e2e.test.ts looks for.
  childEnv.CHAINLAB_CHECK_RESPONSES = '1';
  Object.assign(childEnv, env);
  const proc = spawn(process.execPath, [scriptPath, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        proc.on('error', reject);
        proc.on('close', (c, sig) => resolve([c, sig]));
      },
    );
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every service still running (for afterAll / afterEach). */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

// Never leave orphans behind, even when a test run is interrupted.
process.on('exit', () => {
  for (const s of live) s.proc.kill('SIGKILL');
});
