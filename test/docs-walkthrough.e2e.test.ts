// The first-run path as a newcomer walks it: every command in README.md, then in
// examples/README.md and the Counter walkthrough, run literally and in order against a
// devnet this test starts, so the docs cannot drift from what the tools do.
//
// How commands are found: in a fenced block that has `$ ` lines, those are the commands and
// the lines after each are its output as shown; in any other fenced block tagged `sh`, each
// non-empty line is a command. A block right after `<!-- docs-test: skip (why) -->` is not
// run (for illustrative or long-running commands; say why).
//
// What the test substitutes, as a reader on another port base would (dev.mjs prints the
// `export CHAINLAB_NODE=… CHAINLAB_MEMPOOL=…` line for the wallet):
// - `pnpm dev [-- flags]` starts the devnet in the background on a free port base with a
//   temporary data dir (a later `pnpm dev` first stops the running one, as Ctrl-C would);
// - `pnpm install`, `npm install -g pnpm@10` and `pnpm build` were done before the tests;
//   `pnpm test` is this very suite: those are not run again;
// - `pnpm wallet -- …` runs the built wallet (node apps/wallet-cli/dist/main.js) with
//   CHAINLAB_NODE / CHAINLAB_MEMPOOL pointing at the devnet, one temporary keystore dir for
//   the whole walk (as one user's home would have) and CHAINLAB_PASSWORD for the prompt;
// - `localhost:7xxx` / `127.0.0.1:7xxx` move to the same offset from the port base;
// - `<txid>` and `<hash>` placeholders get the last txid / block hash printed before.
// Shown outputs are compared line by line, with hex strings and numbers as wildcards —
// except contract addresses in examples/, which must come out exactly as shown.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, REPO_ROOT, removeTempDirs, tempDir, waitFor } from './helpers/index.js';
import { freePortBase, startDevnet, type Devnet } from './helpers/devnet.js';

interface Command {
  file: string;
  line: number;
  text: string;
  /** Output shown in the doc (`$ ` blocks only). */
  shown: string[];
}

/** The runnable commands of a markdown file, in order (see the file comment). */
export function extractCommands(file: string): Command[] {
  const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  const commands: Command[] = [];
  let skipNext = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^<!--\s*docs-test:\s*skip\b/.test(l.trim())) {
      skipNext = true;
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(l);
    if (!fence) continue;
    const lang = fence[1] ?? '';
    const body: { n: number; text: string }[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++)
      body.push({ n: i + 1, text: lines[i]! });
    const skip = skipNext;
    skipNext = false;
    if (skip) continue;
    if (body.some((b) => b.text.startsWith('$ '))) {
      for (const b of body) {
        if (b.text.startsWith('$ '))
          commands.push({ file, line: b.n, text: b.text.slice(2), shown: [] });
        else if (b.text.trim() !== '') commands.at(-1)?.shown.push(b.text);
      }
    } else if (lang === 'sh') {
      for (const b of body)
        if (b.text.trim() !== '' && !b.text.trim().startsWith('#'))
          commands.push({ file, line: b.n, text: b.text, shown: [] });
    }
  }
  return commands;
}

/** A shown output line as a pattern: hex strings, numbers and "…" match anything alike. */
function shownPattern(line: string): RegExp {
  const parts = line
    .trim()
    .split(/(0x[0-9a-fA-F]+(?:…[0-9a-fA-F]*)?|[0-9a-f]{16,}|\d[\d,.]*|…)/)
    .map((p, i) => {
      if (i % 2 === 0) {
        const literal = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // "1 confirmation" / "3 confirmations": a word after a number may be plural.
        return i > 0 ? literal.replace(/^(\s+[a-z]+?)s?(?=\W|$)/, '$1s?') : literal;
      }
      if (p.startsWith('0x')) return '0x[0-9a-fA-F]+(?:…[0-9a-fA-F]*)?';
      if (/^[0-9a-f]{16,}$/.test(p)) return '[0-9a-f]{16,}';
      if (p === '…') return '.*?';
      return '\\d[\\d,.]*';
    });
  return new RegExp(parts.join(''));
}

const SETUP_DONE = [/^npm install -g pnpm@10$/, /^pnpm install$/, /^pnpm build$/, /^pnpm test$/];

function run(
  cmd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', cmd],
      { cwd: REPO_ROOT, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

afterAll(() => removeTempDirs());

describe('the docs, run as written', () => {
  it('extracts commands and shown outputs from markdown', () => {
    const cmds = extractCommands('README.md');
    expect(cmds.some((c) => c.text.startsWith('pnpm wallet -- new --name'))).toBe(true);
    const send = cmds.find((c) => c.text.startsWith('pnpm wallet -- send'));
    expect(send?.shown[0]).toMatch(/^Sent /);
    expect(shownPattern('txid 0xebe6…').test('txid 0xebe6923f9f9f1e4a')).toBe(true);
    expect(shownPattern('Sent 12.5 CLC').test('Sent 1 CLC')).toBe(true);
    expect(shownPattern('Sent 12.5 CLC').test('Got 12.5 CLC')).toBe(false);
    expect(shownPattern('of 0xa579…b1c512: 1/2').test('of 0x178c…74c21a: 1/2')).toBe(true);
    expect(
      shownPattern('Confirmed: 1 confirmation (block').test('Confirmed: 3 confirmations (block'),
    ).toBe(true);
    expect(
      shownPattern('file: …/UTC--Z--0843207b65413267320f').test(
        'file: /k/UTC--Z--ab12cd34ef56ab78cd',
      ),
    ).toBe(true);
  });

  it('README.md, examples/README.md and the Counter walkthrough, in order', async () => {
    const files = ['README.md', 'examples/README.md', 'examples/counter/README.md'];
    const keystore = tempDir('chainlab-docs-keys-');
    const baseEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('CHAINLAB_')) baseEnv[k] = v;
    Object.assign(baseEnv, {
      CHAINLAB_KEYSTORE_DIR: keystore,
      CHAINLAB_PASSWORD: 'docs-test password',
      CHAINLAB_KDF_N: '1024',
    });
    const exported: Record<string, string> = {};
    let devnet: Devnet | undefined;
    let lastTxid: string | undefined;
    let lastHash: string | undefined;
    const transcript: string[] = [];

    try {
      for (const file of files) {
        for (const c of extractCommands(file)) {
          const where = `${c.file}:${c.line}: ${c.text}`;
          for (const part of c.text.split(/\s+&&\s+/)) {
            const cmdText = part.replace(/\s+#.*$/, '').trim();
            if (SETUP_DONE.some((re) => re.test(cmdText))) continue;
            const dev = /^pnpm dev(?:\s+--(?=\s|$))?(.*)$/.exec(cmdText);
            if (dev) {
              if (devnet) expect((await devnet.interrupt()).code, where).toBe(0);
              const portBase = await freePortBase(3);
              devnet = startDevnet(
                [
                  ...dev[1]!.trim().split(/\s+/).filter(Boolean),
                  '--port-base',
                  String(portBase),
                  '--data-dir',
                  tempDir('chainlab-docs-dev-'),
                  '--no-status',
                ],
                { portBase, nodes: 3 },
              );
              await devnet.banner();
              // Mined blocks before the first command, as a reader who reads the banner.
              const first = devnet.nodeUrls[0]!;
              await waitFor(
                async () => (await getJson<{ height: number }>(`${first}/tip`)).height >= 3,
                {
                  timeoutMs: 120_000,
                  message: 'a few blocks on the new devnet',
                },
              );
              continue;
            }
            if (!devnet) throw new Error(`${where}: a command before \`pnpm dev\``);
            const base = devnet.portBase;
            let sh = cmdText
              .replace(/^pnpm wallet --/, 'node apps/wallet-cli/dist/main.js')
              .replace(
                /\b(localhost|127\.0\.0\.1):(7\d{3})\b/g,
                (_, host: string, port: string) => `${host}:${Number(port) - 7000 + base}`,
              );
            if (sh.includes('<txid>')) sh = sh.replaceAll('<txid>', lastTxid ?? '<no txid yet>');
            if (sh.includes('<hash>')) sh = sh.replaceAll('<hash>', lastHash ?? '<no hash yet>');
            const exp = /^export\s+(.*)$/.exec(sh);
            if (exp) {
              for (const [, k, v] of exp[1]!.matchAll(/(\w+)=(\S+)/g)) exported[k!] = v!;
              continue;
            }
            const env = {
              ...baseEnv,
              ...exported,
              CHAINLAB_NODE: devnet.nodeUrls[0]!,
              CHAINLAB_MEMPOOL: devnet.mempoolUrl,
            };
            const r = await run(sh, env);
            transcript.push(`$ ${c.text}\n${r.stdout}${r.stderr}`);
            // A shown failure (the wallet exits 1 for a mined-but-reverted call) is expected.
            const shownFails = c.shown.some((s) => /REVERTED|error|Error/.test(s));
            if (!shownFails) expect(r.code, `${where}\n${r.stdout}\n${r.stderr}`).toBe(0);
            const out = `${r.stdout}${r.stderr}`;
            const outLines = out.split('\n');
            for (const s of c.shown) {
              // The walkthroughs promise the same contract addresses on every fresh devnet.
              const exact = c.file.startsWith('examples/') && s.startsWith('address 0x');
              const re = exact
                ? new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
                : shownPattern(s);
              expect(
                outLines.some((l) => re.test(l)),
                `${where}\nshown: ${s}\nactual:\n${out}`,
              ).toBe(true);
            }
            lastTxid = [...out.matchAll(/txid["\s:]+(0x[0-9a-f]{64})/g)].at(-1)?.[1] ?? lastTxid;
            lastHash = [...out.matchAll(/"hash":"(0x[0-9a-f]{64})"/g)].at(-1)?.[1] ?? lastHash;
            if (sh.includes('/dev/invalidate')) {
              // The node that invalidated a block mines on its own branch: the explorer must
              // call it "on another branch", however high it gets.
              const node = devnet.nodeUrls[0]!;
              await waitFor(
                async () => {
                  const net = await getJson<{
                    nodes: { url: string; tipPosition: { position: string } }[];
                  }>(`${devnet!.explorerUrl}/api/network`);
                  return net.nodes.find((n) => n.url === node)?.tipPosition.position === 'branch';
                },
                { timeoutMs: 180_000, intervalMs: 500, message: 'node-1 shown on another branch' },
              );
            }
            if (sh.includes('/dev/reconsider')) {
              // Reconsidered: it follows the most work again, back on the others' chain.
              const nodes = devnet.nodeUrls;
              await waitFor(
                async () => {
                  const tips = await Promise.all(
                    nodes.map((u) => getJson<{ hash: string }>(`${u}/tip`)),
                  );
                  const net = await getJson<{
                    nodes: { url: string; tipPosition: { position: string } }[];
                  }>(`${devnet!.explorerUrl}/api/network`);
                  const pos = net.nodes.find((n) => n.url === nodes[0])?.tipPosition.position;
                  return tips[0]!.hash === tips[1]!.hash && pos !== 'branch';
                },
                { timeoutMs: 180_000, intervalMs: 500, message: 'node-1 back on the best chain' },
              );
            }
          }
        }
      }
      if (!devnet) throw new Error('the docs never start a devnet');
      expect((await devnet.interrupt()).code).toBe(0);
    } catch (e) {
      // The whole walk so far, to see what the reader would have seen.
      console.error(transcript.join('\n'));
      if (devnet) await devnet.interrupt();
      throw e;
    }
  });
});
