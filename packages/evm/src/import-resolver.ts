// Where `import "…"` in a Solidity file comes from, resolved the way Solidity projects are
// laid out by Hardhat, Foundry and plain npm:
//
//   1. solc itself turns a relative import ("./Lib.sol", "../utils/X.sol") into a path
//      relative to the importing file, then applies the remappings we pass it
//      (remappings.txt and foundry.toml of the project, as `forge` does);
//   2. we look the resulting path up under the project root (solc's --base-path), then
//      under each --include-path, then in every node_modules folder from the contract's own
//      folder up to the filesystem root (Node's and Hardhat's lookup), so
//      `import "@openzeppelin/contracts/token/ERC20/ERC20.sol"` works from any folder that
//      has it installed.
//
// The project root is the nearest folder above the contract holding foundry.toml,
// remappings.txt, a Hardhat config or package.json. Source unit names are relative to it,
// so the same project compiles to the same bytecode (metadata included) wherever it is
// checked out.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

const ROOT_MARKERS = [
  'foundry.toml',
  'remappings.txt',
  'hardhat.config.ts',
  'hardhat.config.js',
  'hardhat.config.cjs',
  'hardhat.config.mjs',
  'package.json',
];

export interface ImportSettings {
  /** Project root (solc's base path): source unit names are relative to it. */
  root: string;
  /** Remappings in solc's form `[context:]prefix=target`, from the project's config files. */
  remappings: string[];
  /** Extra folders to look imports up in (solc's --include-path), absolute. */
  includePaths: string[];
  /** The folder node_modules lookups start from (the contract's folder). */
  fromDir: string;
}

/** The nearest folder at or above `dir` that looks like a Solidity/JS project root. */
export function findProjectRoot(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (ROOT_MARKERS.some((m) => existsSync(path.join(d, m)))) return d;
    if (path.dirname(d) === d) return path.resolve(dir);
  }
}

/**
 * The project's remappings: remappings.txt (one per line, `#` comments) and foundry.toml's
 * `remappings` (in `[profile.default]`, or top level). Later entries win in solc for equal
 * prefixes, so foundry.toml's come after remappings.txt's, as forge merges them.
 */
export function readRemappings(root: string): string[] {
  const out: string[] = [];
  const txt = path.join(root, 'remappings.txt');
  if (existsSync(txt)) {
    for (const raw of readFileSync(txt, 'utf8').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line.includes('=')) out.push(line);
    }
  }
  const toml = path.join(root, 'foundry.toml');
  if (existsSync(toml)) {
    let config: Record<string, unknown>;
    try {
      config = parseToml(readFileSync(toml, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`cannot read ${toml}: ${(e as Error).message}`);
    }
    const profile = (config.profile as Record<string, Record<string, unknown>> | undefined)
      ?.default;
    const list = profile?.remappings ?? config.remappings;
    if (Array.isArray(list)) for (const r of list) if (typeof r === 'string') out.push(r.trim());
  }
  return [...new Set(out)];
}

/** Settings for compiling `file`: its project root, remappings and the given include paths. */
export function importSettingsFor(file: string, includePaths: string[] = []): ImportSettings {
  const fromDir = path.dirname(path.resolve(file));
  const root = findProjectRoot(fromDir);
  return {
    root,
    remappings: readRemappings(root),
    includePaths: includePaths.map((p) => path.resolve(p)),
    fromDir,
  };
}

/** Every place `importPath` is looked for, in order. */
export function importCandidates(importPath: string, settings: ImportSettings): string[] {
  if (path.isAbsolute(importPath)) return [importPath];
  const candidates = [path.join(settings.root, importPath)];
  for (const inc of settings.includePaths) candidates.push(path.join(inc, importPath));
  for (let d = settings.fromDir; ; d = path.dirname(d)) {
    candidates.push(path.join(d, 'node_modules', importPath));
    if (path.dirname(d) === d) break;
  }
  return candidates;
}

/** solc's import callback: the first candidate that is a file, or a message saying where we looked. */
export function resolveImport(
  importPath: string,
  settings: ImportSettings,
): { contents: string } | { error: string } {
  const candidates = importCandidates(importPath, settings);
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return { contents: readFileSync(c, 'utf8') };
  }
  const where = [
    `the project root ${settings.root}`,
    ...settings.includePaths.map((p) => `include path ${p}`),
    `node_modules from ${settings.fromDir} up`,
  ];
  return {
    error: `not found in ${where.join(', ')}${
      settings.remappings.length > 0 ? '' : ' (no remappings: add remappings.txt or --include-path)'
    }`,
  };
}
