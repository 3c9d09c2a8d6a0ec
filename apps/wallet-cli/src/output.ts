// Everything the wallet prints. Human mode: results on stdout, notes and progress on
// stderr. --json: exactly one JSON object on stdout per command (the result, or
// {"error": {"code", "message"}} on failure), nothing else on stdout.

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export class Output {
  private progressShown = false;

  constructor(
    readonly json: boolean,
    private readonly streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** True when progress lines are rewritten in place (stderr is a terminal). */
  get live(): boolean {
    return Boolean(this.streams.stderr.isTTY);
  }

  /** The command's result: `json` with --json, else the human lines. */
  result(json: Record<string, unknown>, human: string | string[]): void {
    this.endProgress();
    if (this.json) this.streams.stdout.write(JSON.stringify(json) + '\n');
    else this.streams.stdout.write((Array.isArray(human) ? human.join('\n') : human) + '\n');
  }

  /** A line of the human result printed before the command ends (nothing with --json). */
  line(text: string): void {
    if (this.json) return;
    this.endProgress();
    this.streams.stdout.write(text + '\n');
  }

  /** A side note for humans (stderr; also with --json, where stdout is reserved). */
  note(line: string): void {
    this.endProgress();
    this.streams.stderr.write(line + '\n');
  }

  /**
   * A live status line: rewritten in place on a terminal, one plain line per call
   * otherwise (callers only call it when something changed). Silent with --json unless
   * stderr is a terminal.
   */
  progress(line: string): void {
    const tty = Boolean(this.streams.stderr.isTTY);
    if (this.json && !tty) return;
    if (tty) {
      this.streams.stderr.write(`\r\x1b[2K${line}`);
      this.progressShown = true;
    } else {
      this.streams.stderr.write(line + '\n');
    }
  }

  endProgress(): void {
    if (this.progressShown) {
      this.streams.stderr.write('\n');
      this.progressShown = false;
    }
  }

  /** A failure: `error: CODE: message` on stderr, plus the JSON error object with --json. */
  error(code: string | undefined, message: string, details: Record<string, unknown> = {}): void {
    this.endProgress();
    const text = message.startsWith('error:')
      ? message
      : `error: ${code ? `${code}: ` : ''}${message}`;
    this.streams.stderr.write(text.endsWith('\n') ? text : text + '\n');
    if (this.json) {
      const clean = message.replace(/^error:\s*/, '').trim();
      this.streams.stdout.write(
        JSON.stringify({ error: { code: code ?? 'ERROR', message: clean }, ...details }) + '\n',
      );
    }
  }
}

/** `0x1234abcd…cdef` for tables. */
export function short(hex: string, head = 10, tail = 6): string {
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

/** Left-aligned columns. */
export function table(rows: string[][], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join(gap)
      .trimEnd(),
  );
}
