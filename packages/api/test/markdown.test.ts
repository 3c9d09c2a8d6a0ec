import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiMarkdown, typeText } from '@chainlab/api';
import { Type } from '@sinclair/typebox';

describe('docs/api.md', () => {
  it('is generated from the current schemas (run `pnpm docs:api` when this fails)', () => {
    const file = new URL('../../../docs/api.md', import.meta.url);
    expect(readFileSync(file, 'utf8')).toBe(renderApiMarkdown());
  });

  it('shows shapes as TypeScript-like types', () => {
    expect(typeText(Type.Union([Type.String(), Type.Null()]))).toBe('string | null');
    expect(typeText(Type.Object({ a: Type.Integer(), b: Type.Optional(Type.Boolean()) }))).toBe(
      '{\n  a: number;\n  b?: boolean;\n}',
    );
    expect(typeText(Type.Array(Type.Literal('x')))).toBe('"x"[]');
  });
});
