#!/usr/bin/env node
// Writes docs/api.md from the route schemas in packages/api (build it first: `pnpm docs:api`
// does both). With --check, exits 1 when docs/api.md is stale instead of writing it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiMarkdown } from '../packages/api/dist/index.js';

const file = fileURLToPath(new URL('../docs/api.md', import.meta.url));
const text = renderApiMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* missing: stale */
  }
  if (current !== text) {
    console.error('docs/api.md is stale: run `pnpm docs:api`');
    process.exit(1);
  }
  console.log('docs/api.md is up to date');
} else {
  writeFileSync(file, text);
  console.log(`wrote docs/api.md (${text.split('\n').length} lines)`);
}
