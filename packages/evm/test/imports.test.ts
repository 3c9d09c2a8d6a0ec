// Imports resolve as Solidity projects lay them out: a contract in its own folder importing
// @openzeppelin/contracts from that folder's node_modules, relative imports inside packages,
// remappings.txt and foundry.toml remappings, --include-path, and a clear message naming
// where we looked when an import is missing.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@chainlab/evm';
import {
  findProjectRoot,
  importCandidates,
  importSettingsFor,
  readRemappings,
} from '../src/import-resolver.js';

const require = createRequire(import.meta.url);
const ozDir = path.dirname(require.resolve('@openzeppelin/contracts/package.json'));

const dirs: string[] = [];
function tempProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainlab-imports-'));
  dirs.push(dir);
  return dir;
}
function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TOKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract MyToken is ERC20 {
  constructor() ERC20("My", "MY") { _mint(msg.sender, 1000); }
}
`;

describe('Solidity imports', () => {
  it('finds @openzeppelin/contracts in a node_modules above the contract (nested folder)', () => {
    const project = tempProject();
    write(path.join(project, 'package.json'), '{"name":"my-dapp","private":true}');
    cpSync(ozDir, path.join(project, 'node_modules', '@openzeppelin', 'contracts'), {
      recursive: true,
    });
    const file = write(path.join(project, 'contracts', 'token', 'MyToken.sol'), TOKEN);
    const compiled = compile(file);
    expect(compiled.contractName).toBe('MyToken');
    expect(compiled.sourceName).toBe('contracts/token/MyToken.sol');
    expect(compiled.abi.some((i) => i.type === 'function' && i.name === 'transfer')).toBe(true);

    // The same project elsewhere compiles to the same bytecode: unit names are project-relative.
    const copy = tempProject();
    cpSync(project, copy, { recursive: true });
    expect(compile(path.join(copy, 'contracts', 'token', 'MyToken.sol')).bytecode).toBe(
      compiled.bytecode,
    );
  }, 120_000);

  it('applies remappings.txt and foundry.toml remappings relative to the project root', () => {
    const project = tempProject();
    write(path.join(project, 'remappings.txt'), '# libs\n@txt/=lib/txt-src/\n');
    write(
      path.join(project, 'foundry.toml'),
      '[profile.default]\nsrc = "src"\nremappings = ["@toml/=vendor/toml-src/"]\n',
    );
    write(
      path.join(project, 'lib', 'txt-src', 'A.sol'),
      'pragma solidity ^0.8.0; import "./B.sol"; contract A is B {}',
    );
    write(
      path.join(project, 'lib', 'txt-src', 'B.sol'),
      'pragma solidity ^0.8.0; contract B { function b() public pure returns (uint) { return 2; } }',
    );
    write(
      path.join(project, 'vendor', 'toml-src', 'C.sol'),
      'pragma solidity ^0.8.0; contract C { function c() public pure returns (uint) { return 3; } }',
    );
    const file = write(
      path.join(project, 'src', 'Main.sol'),
      'pragma solidity ^0.8.0; import "@txt/A.sol"; import "@toml/C.sol"; contract Main is A, C {}',
    );
    expect(readRemappings(project)).toEqual(['@txt/=lib/txt-src/', '@toml/=vendor/toml-src/']);
    const names = compile(file)
      .abi.filter((i) => i.type === 'function')
      .map((i) => (i as { name: string }).name)
      .sort();
    expect(names).toEqual(['b', 'c']);
  });

  it('looks in --include-path folders, and says where it looked when an import is missing', () => {
    const project = tempProject();
    const shared = tempProject();
    write(
      path.join(shared, 'shared', 'Lib.sol'),
      'pragma solidity ^0.8.0; library Lib { function one() internal pure returns (uint) { return 1; } }',
    );
    const file = write(
      path.join(project, 'Main.sol'),
      'pragma solidity ^0.8.0; import "shared/Lib.sol"; contract Main { function f() public pure returns (uint) { return Lib.one(); } }',
    );
    expect(() => compile(file)).toThrow(CompileError);
    try {
      compile(file);
    } catch (e) {
      expect((e as CompileError).message).toMatch(/shared\/Lib\.sol/);
      expect((e as CompileError).errors.join('\n')).toMatch(/node_modules from .* up/);
    }
    expect(compile(file, undefined, { includePaths: [shared] }).contractName).toBe('Main');
  });

  it('takes the nearest project marker as the root and searches node_modules upward in order', () => {
    const project = tempProject();
    write(path.join(project, 'foundry.toml'), '');
    const sub = path.join(project, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(findProjectRoot(sub)).toBe(project);
    const settings = importSettingsFor(path.join(sub, 'X.sol'), ['/opt/inc']);
    const c = importCandidates('pkg/A.sol', settings);
    expect(c[0]).toBe(path.join(project, 'pkg/A.sol'));
    expect(c[1]).toBe('/opt/inc/pkg/A.sol');
    expect(c[2]).toBe(path.join(sub, 'node_modules', 'pkg/A.sol'));
    expect(c[3]).toBe(path.join(project, 'src', 'node_modules', 'pkg/A.sol'));
    expect(c.at(-1)).toBe('/node_modules/pkg/A.sol');
  });
});
