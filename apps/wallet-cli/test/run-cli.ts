// Runs the built wallet (apps/wallet-cli/dist/main.js) as a child process — asynchronously,
// so an in-process fake server keeps answering it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON object (throws when it is not). */
  json<T = Record<string, unknown>>(): T;
}

export function cliBuilt(): void {
  if (!existsSync(CLI))
    throw new Error(
      `${CLI} does not exist: build first (pnpm --filter @chainlab/wallet-cli build)`,
    );
}

/** `env` is added to a copy of process.env without its CHAINLAB_* variables. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  const childEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAINLAB_')) childEnv[k] = v;
  Object.assign(childEnv, env);
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: childEnv, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && code === -1) return reject(err);
        resolve({
          code,
          stdout,
          stderr,
          json: <T>() => {
            try {
              return JSON.parse(stdout) as T;
            } catch {
              throw new Error(`stdout is not one JSON object: ${stdout}\nstderr: ${stderr}`);
            }
          },
        });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}
