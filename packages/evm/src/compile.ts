// Solidity → bytecode with solc-js (the npm package: its bundled soljson runs offline).
// Standard JSON in, ABI and bytecode out; imports resolve as Hardhat and Foundry projects
// expect (import-resolver.ts: project root, remappings, --include-path, node_modules).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Abi } from 'viem';
import { importSettingsFor, resolveImport, type ImportSettings } from './import-resolver.js';

const require = createRequire(import.meta.url);

/** The EVM version contracts are compiled for: the rules @chainlab/evm executes (Cancun). */
export const EVM_VERSION = 'cancun';

export interface CompiledContract {
  contractName: string;
  /** Path the source came from ("<inline>" for compileSource). */
  sourceName: string;
  abi: Abi;
  /** 0x hex init code (what a deploy tx carries, before the constructor arguments). */
  bytecode: string;
  /** 0x hex runtime code (what ends up at the contract's address). */
  deployedBytecode: string;
}

export interface CompileOptions {
  /** Optimizer runs; default 200. `false` disables the optimizer. */
  optimizer?: number | false;
  /**
   * A directory to keep outputs in, keyed by a hash of the input (sources, settings) and
   * the compiler version: an unchanged contract compiles once, then loads in a millisecond.
   * Sources with imports are never cached (the key would not cover the imported files).
   */
  cacheDir?: string;
  /** Extra folders imports are looked up in (solc's --include-path). */
  includePaths?: string[];
}

export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    message: string,
    readonly errors: string[],
  ) {
    super(message);
  }
}

interface Solc {
  compile(
    input: string,
    options?: { import?: (p: string) => { contents: string } | { error: string } },
  ): string;
  version(): string;
}

let solc: Solc | undefined;
function loadSolc(): Solc {
  // Loading soljson takes a second or two: do it once, and only when compiling.
  solc ??= require('solc') as Solc;
  return solc;
}

function solcPackageVersion(): string {
  return (require('solc/package.json') as { version: string }).version;
}

/** The bundled compiler's version, e.g. "0.8.30+commit.73712a01.Emscripten.clang". */
export function solcVersion(): string {
  return loadSolc().version();
}

/**
 * Compiles a Solidity file and returns one contract: `contractName`, or the only/last
 * contract the file defines. Throws CompileError with solc's messages.
 */
export function compile(
  file: string,
  contractName?: string,
  options: CompileOptions = {},
): CompiledContract {
  const full = path.resolve(file);
  const settings = importSettingsFor(full, options.includePaths);
  // The source unit name is the path inside the project (as Hardhat and forge name it), so
  // the metadata, and with it the bytecode, do not depend on where the project is checked out.
  const unitName = path.relative(settings.root, full).split(path.sep).join('/');
  return compileSources(
    { [unitName]: readFileSync(full, 'utf8') },
    unitName,
    contractName,
    options,
    settings,
  );
}

/** Compiles Solidity source text (no file); imports resolve from the working directory. */
export function compileSource(
  source: string,
  contractName?: string,
  options: CompileOptions = {},
): CompiledContract {
  const cwd = process.cwd();
  const settings: ImportSettings = {
    root: cwd,
    remappings: [],
    includePaths: (options.includePaths ?? []).map((p) => path.resolve(p)),
    fromDir: cwd,
  };
  return compileSources({ '<inline>': source }, '<inline>', contractName, options, settings);
}

function compileSources(
  sources: Record<string, string>,
  main: string,
  contractName: string | undefined,
  options: CompileOptions,
  imports: ImportSettings,
): CompiledContract {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(
      Object.entries(sources).map(([name, content]) => [name, { content }]),
    ),
    settings: {
      evmVersion: EVM_VERSION,
      remappings: imports.remappings,
      optimizer:
        options.optimizer === false
          ? { enabled: false }
          : { enabled: true, runs: options.optimizer ?? 200 },
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  };
  let imported = false; // outputs that read imported files are not cached (the key covers the main sources only)
  const findImport = (p: string) => {
    imported = true;
    return resolveImport(p, imports);
  };
  const inputJson = JSON.stringify(input);
  const cacheFile = options.cacheDir
    ? path.join(
        options.cacheDir,
        createHash('sha256')
          .update(`${solcPackageVersion()}\n${imports.root}\n${inputJson}`)
          .digest('hex') + '.json',
      )
    : undefined;
  let outputJson: string;
  if (cacheFile && existsSync(cacheFile)) outputJson = readFileSync(cacheFile, 'utf8');
  else {
    outputJson = loadSolc().compile(inputJson, { import: findImport });
    if (cacheFile && !imported) {
      mkdirSync(options.cacheDir!, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, outputJson);
      renameSync(tmp, cacheFile);
    }
  }
  const output = JSON.parse(outputJson) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<
      string,
      Record<
        string,
        { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
      >
    >;
  };
  const errors = (output.errors ?? [])
    .filter((e) => e.severity === 'error')
    .map((e) => e.formattedMessage);
  if (errors.length > 0) throw new CompileError(`solc: ${errors[0]}`, errors);
  const contracts = output.contracts?.[main] ?? {};
  const names = Object.keys(contracts);
  if (names.length === 0) throw new CompileError(`${main} defines no contract`, []);
  const name = contractName ?? names[names.length - 1]!;
  const c = contracts[name];
  if (!c)
    throw new CompileError(`no contract ${name} in ${main} (it defines ${names.join(', ')})`, []);
  if (c.evm.bytecode.object.length === 0)
    throw new CompileError(`${name} is abstract or an interface: it has no bytecode`, []);
  return {
    contractName: name,
    sourceName: main,
    abi: c.abi,
    bytecode: '0x' + c.evm.bytecode.object,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
  };
}
