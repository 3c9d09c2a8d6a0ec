// Module loader hooks used only by worker-dev.mjs (tests from sources): .ts files are
// transpiled on the fly (types stripped, no type checking), a relative "./x.js" import
// from a .ts file resolves to ./x.ts when that exists, and @chainlab/core resolves to
// packages/core/src so a test never depends on a stale build.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const CORE_SRC = new URL('../../core/src/index.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === '@chainlab/core') return { url: CORE_SRC, shortCircuit: true };
  if (
    context.parentURL?.endsWith('.ts') &&
    specifier.startsWith('.') &&
    specifier.endsWith('.js')
  ) {
    const candidate = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const fileName = fileURLToPath(url);
    const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        inlineSourceMap: true,
      },
    });
    return { format: 'module', source: outputText, shortCircuit: true };
  }
  return next(url, context);
}
