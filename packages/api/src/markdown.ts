// docs/api.md, rendered from the route tables: `pnpm docs:api` writes it and a unit test
// fails when the file is stale. Shapes are shown as TypeScript-like types.
import type { TSchema } from '@sinclair/typebox';
import type { RouteSchema, RouteTable } from './common.js';
import { explorerRoutes } from './explorer.js';
import { mempoolContractRoutes, mempoolRoutes, mempoolWebSocketRoutes } from './mempool.js';
import {
  nodeAccountRoutes,
  nodeContractRoutes,
  nodeEthRpcRoutes,
  nodeDataRoutes,
  nodeDevRoutes,
  nodeRoutes,
  nodeWebSocketRoutes,
} from './node.js';
import { trackerRoutes } from './tracker.js';

interface Json {
  [k: string]: unknown;
}

/** Every service's routes, in the order docs/api.md shows them. */
export const API_SERVICES: {
  service: 'tracker' | 'node' | 'mempool' | 'explorer';
  title: string;
  intro: string;
  groups: { title: string | null; routes: RouteTable }[];
}[] = [
  {
    service: 'tracker',
    title: 'Tracker',
    intro: 'Peer discovery (default port 7100).',
    groups: [{ title: null, routes: trackerRoutes }],
  },
  {
    service: 'node',
    title: 'Node',
    intro: 'A full node (default port 7101): the chain, block submission, gossip.',
    groups: [
      { title: null, routes: nodeRoutes },
      { title: 'Gossip (WebSocket)', routes: nodeWebSocketRoutes },
      { title: 'Level 1 (data chains)', routes: nodeDataRoutes },
      { title: 'Levels 2-3 (ledger, contracts)', routes: nodeAccountRoutes },
      { title: 'Level 3 (contracts)', routes: nodeContractRoutes },
      { title: 'Level 3: Ethereum JSON-RPC', routes: nodeEthRpcRoutes },
      { title: 'Devnet controls (devnet specs only)', routes: nodeDevRoutes },
    ],
  },
  {
    service: 'mempool',
    title: 'Mempool',
    intro: 'Pending txs of levels 2-3 (default port 7200).',
    groups: [
      { title: null, routes: mempoolRoutes },
      { title: 'Tx feed for nodes (WebSocket)', routes: mempoolWebSocketRoutes },
      { title: 'Level 3 (contracts)', routes: mempoolContractRoutes },
    ],
  },
  {
    service: 'explorer',
    title: 'Explorer',
    intro: 'The explorer server (default port 7300): its JSON API under /api.',
    groups: [{ title: null, routes: explorerRoutes }],
  },
];

const KIND = Symbol.for('TypeBox.Kind');
const OPTIONAL = Symbol.for('TypeBox.Optional');

function isOptional(s: TSchema): boolean {
  return (s as unknown as Record<symbol, unknown>)[OPTIONAL] === 'Optional';
}

/** A TypeScript-like rendering of a schema. */
export function typeText(schema: unknown, indent = ''): string {
  const s = schema as Json;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return s.anyOf.map((x) => typeText(x, indent)).join(' | ');
  if (Array.isArray(s.allOf)) return s.allOf.map((x) => typeText(x, indent)).join(' & ');
  const kind = (s as Record<symbol, unknown>)[KIND];
  if (kind === 'Unknown') return 'unknown';
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = typeText(s.items, indent);
      return /[|&]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, TSchema>;
      const pattern = s.patternProperties as Record<string, unknown> | undefined;
      if (Object.keys(props).length === 0) {
        if (pattern) return `{ [key: string]: ${typeText(Object.values(pattern)[0], indent)} }`;
        return s.additionalProperties === false ? '{}' : '{ ... }';
      }
      const inner = indent + '  ';
      const lines = Object.entries(props).map(
        ([k, v]) =>
          `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}${isOptional(v) ? '?' : ''}: ${typeText(v, inner)};${comment(v)}`,
      );
      if (s.additionalProperties !== false && kindOf(s) === 'Object' && openNote(s))
        lines.push(`${inner}...`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return 'unknown';
  }
}

function kindOf(s: Json): unknown {
  return (s as Record<symbol, unknown>)[KIND];
}

/** An object documented as open (newer services may add fields). */
function openNote(s: Json): boolean {
  return typeof s.description === 'string' && s.description.startsWith('open');
}

function comment(s: TSchema): string {
  const d = (s as Json).description;
  const t = (s as Json).type;
  if (typeof d !== 'string' || d === '' || t === 'object') return '';
  return ` // ${d}`;
}

function constraints(s: Json): string {
  const parts: string[] = [];
  if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`${s.minimum}..${s.maximum}`);
  else if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  else if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} chars`);
  if (typeof s.pattern === 'string') parts.push(`\`${s.pattern}\``);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(', ');
}

function paramTable(title: string, schema: TSchema | undefined): string[] {
  const props = ((schema as Json | undefined)?.properties ?? {}) as Record<string, TSchema>;
  const entries = Object.entries(props);
  if (entries.length === 0) return [];
  const rows = entries.map(([name, p]) => {
    const j = p as unknown as Json;
    const type = j.type === 'integer' ? 'integer (decimal digits)' : typeText(p);
    const notes = [constraints(j), typeof j.description === 'string' ? j.description : '']
      .filter(Boolean)
      .join('; ');
    return `| \`${name}\` | ${type} | ${isOptional(p) || j.default !== undefined ? 'no' : 'yes'} | ${notes.replace(/\|/g, '\\|')} |`;
  });
  return [`${title}:`, '', '| name | type | required | notes |', '|---|---|---|---|', ...rows, ''];
}

function routeSection(key: string, r: RouteSchema): string[] {
  const out = [`### \`${key}\``, '', r.summary + '.', ''];
  if (r.description) out.push(r.description, '');
  out.push(...paramTable('Path parameters', r.params));
  out.push(...paramTable('Query parameters', r.querystring));
  if (r.body) {
    const desc = (r.body as unknown as Json).description;
    if ((r.body as unknown as Record<symbol, unknown>)[KIND] === 'Unknown') {
      out.push(`Body: ${typeof desc === 'string' ? desc : 'JSON'}.`, '');
    } else {
      const closed = (r.body as unknown as Json).additionalProperties === false;
      out.push(
        `Body${closed ? ' (unknown fields are refused)' : ''}:`,
        '',
        '```ts',
        typeText(r.body),
        '```',
        '',
      );
    }
  }
  for (const [status, resp] of Object.entries(r.response)) {
    const content = (resp as { content?: Record<string, unknown> }).content;
    if (content) {
      out.push(
        `Answer ${status}: ${(resp as { description: string }).description} (\`${Object.keys(content)[0]}\`).`,
        '',
      );
      continue;
    }
    out.push(`Answer ${status}:`, '', '```ts', typeText(resp), '```', '');
  }
  return out;
}

/** docs/api.md. */
export function renderApiMarkdown(): string {
  const out: string[] = [
    '# HTTP API reference',
    '',
    '<!-- Generated from packages/api/src by `pnpm docs:api`; do not edit by hand. -->',
    '',
    'Every chainlab service serves its API description itself: `GET /openapi.json` (OpenAPI 3.1)',
    'and `GET /docs` (a readable reference, served offline). This page is generated from the',
    'same schemas (packages/api/src), which the services use to validate requests.',
    '',
    '## Conventions',
    '',
    '- Bodies are JSON (`content-type: application/json`); anything else is 415. Unknown',
    '  fields in a body are refused where the body is an object of named fields.',
    '- Every error is a 4xx or 5xx status with `{"error": {"code": "SNAKE_CASE", "message": "..."}}`.',
    '  Malformed input is always 4xx, never 2xx or 5xx.',
    '- Integers in paths and query strings are decimal digits only and within range:',
    '  `/block/2.9`, `/block/0x10`, `/block/1e400`, `?from=1.0` and `?confirmations=1e3` are',
    '  `400 INVALID_REQUEST` with the parameter named in the message.',
    '- A query parameter may appear once; `?a=1&a=2`, `a[]=1` and parameters a route does not',
    '  take are `400 INVALID_REQUEST`.',
    '- Amounts are decimal strings of base units; hashes, txids and addresses are 0x hex',
    '  (addresses EIP-55 checksummed). Block and tx JSON are described in docs/protocol.md.',
    '- The write routes (`POST /block`, `/data`, `/pushtx`, `/register`) are rate limited per',
    '  client address (`429 RATE_LIMITED` with `Retry-After`); a service whose event loop lags',
    '  answers `503 SERVER_BUSY` with `Retry-After`. See docs/operations.md.',
    '- Every service answers `GET /running` with the text `running`.',
    '',
  ];
  for (const svc of API_SERVICES) {
    out.push(`## ${svc.title}`, '', svc.intro, '');
    for (const group of svc.groups) {
      if (group.title) out.push(`### ${group.title}`, '');
      for (const [key, r] of Object.entries(group.routes)) {
        const section = routeSection(key, r);
        if (group.title) section[0] = section[0]!.replace(/^### /, '#### ');
        out.push(...section);
      }
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}
