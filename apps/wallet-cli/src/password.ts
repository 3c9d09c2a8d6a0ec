// The keystore password: --password-file (CHAINLAB_PASSWORD_FILE), CHAINLAB_PASSWORD, or a
// hidden prompt on a terminal — in that order. Without any of them and without a terminal
// the command stops with a usage error rather than wait for input that never comes.
import { readFileSync } from 'node:fs';
import { UsageError, WalletError } from './errors.js';

export interface PasswordSource {
  /** --password-file: its first line is the password. */
  file?: string | undefined;
  /** CHAINLAB_PASSWORD. */
  env?: string | undefined;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WritableStream;
}

export async function getPassword(
  src: PasswordSource,
  opts: { prompt: string; confirm?: boolean },
): Promise<string> {
  if (src.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.file, 'utf8');
    } catch (e) {
      throw new UsageError(
        `--password-file ${src.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  if (src.env !== undefined) return src.env;
  const input = src.input ?? process.stdin;
  const output = src.output ?? process.stderr;
  if (!input.isTTY) {
    throw new UsageError(
      'no password: use --password-file <file>, set CHAINLAB_PASSWORD, or run in a terminal to be asked',
      'NO_PASSWORD',
    );
  }
  const password = await promptHidden(opts.prompt, input, output);
  if (opts.confirm) {
    const again = await promptHidden('Repeat the password: ', input, output);
    if (again !== password) throw new WalletError('PASSWORD_MISMATCH', 'the two passwords differ');
  }
  return password;
}

/** Reads one line from a terminal without echoing it. Ctrl-C aborts. */
export function promptHidden(
  prompt: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (err?: Error): void => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new WalletError('ABORTED', 'aborted'));
        if (ch === '\u0004') {
          if (value === '') return finish(new WalletError('ABORTED', 'aborted'));
          return finish();
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
