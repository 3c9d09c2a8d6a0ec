// Route schemas are TypeBox schemas: one declaration gives the JSON schema (for
// validation and docs) and the TypeScript type of `request.body` / `query` / `params`.
//
// Validation uses TypeBox's compiler rather than fastify's default Ajv: bodies are
// checked strictly (no type coercion: {"url": 5} is not a string), while params,
// querystring and headers (always strings on the wire) are converted to the declared
// types first, strictly (`?limit=10` → 10; `?limit=1.0` is refused, see convertStrict).

import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type {
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyTypeProvider,
} from 'fastify';

/** Fastify type provider: route handlers get `Static<schema>` for typed request parts. */
export interface TypeBoxTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

/** Thrown (returned to fastify) when a request part fails its schema. */
export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError';
  constructor(
    readonly httpPart: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function isTypeBoxSchema(schema: unknown): schema is TSchema {
  return typeof schema === 'object' && schema !== null && Kind in schema;
}

function describe(httpPart: string, pointer: string, message: string): string {
  const field = pointer.replace(/^\//, '');
  const part =
    httpPart === 'querystring'
      ? 'query parameter'
      : httpPart === 'params'
        ? 'path parameter'
        : httpPart;
  if (field === '') return `invalid ${httpPart}: ${message}`;
  if (httpPart === 'body') return `invalid body field '${field}': ${message}`;
  return `invalid ${part} '${field}': ${message}`;
}

/** A path or query value that is not what its schema allows, before any schema check. */
function strictScalar(schema: TSchema, raw: string): { value: unknown } | { error: string } {
  const type = (schema as { type?: unknown }).type;
  if (type === 'integer') {
    const min = (schema as { minimum?: number }).minimum;
    const re = min !== undefined && min >= 0 ? /^[0-9]+$/ : /^-?[0-9]+$/;
    if (!re.test(raw)) return { error: `expected an integer in decimal digits, got ${quote(raw)}` };
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) return { error: `integer out of range: ${quote(raw)}` };
    return { value: n };
  }
  if (type === 'number') {
    if (!/^-?[0-9]+(\.[0-9]+)?$/.test(raw))
      return { error: `expected a decimal number, got ${quote(raw)}` };
    const n = Number(raw);
    if (!Number.isFinite(n)) return { error: `number out of range: ${quote(raw)}` };
    return { value: n };
  }
  if (type === 'boolean') {
    if (raw === 'true') return { value: true };
    if (raw === 'false') return { value: false };
    return { error: `expected true or false, got ${quote(raw)}` };
  }
  return { value: raw };
}

function quote(raw: string): string {
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

/**
 * Path parameters and query strings arrive as strings. They are converted here, strictly:
 * an integer is decimal digits only (`2.9`, `0x10`, `1e400`, `+1`, ` 1` are refused, not
 * rounded or reinterpreted), a query parameter may appear once (`?a=1&a=2` and `a[]=1` are
 * refused), and a query parameter the route does not declare is refused (a typo is not
 * silently ignored).
 */
function convertStrict(
  schema: TSchema,
  part: 'params' | 'querystring' | 'headers',
  input: unknown,
): { value: unknown } | { error: SchemaValidationError } {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (typeof input !== 'object' || input === null || properties === undefined) {
    return { value: Value.Convert(schema, input) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const prop = properties[key];
    if (part === 'querystring') {
      if (prop === undefined) {
        const known = Object.keys(properties);
        const why = /[[\]]/.test(key)
          ? 'array and object syntax is not accepted'
          : known.length > 0
            ? `unknown parameter (this route takes ${known.join(', ')})`
            : 'this route takes no query parameters';
        return { error: fieldError(part, key, why) };
      }
      if (Array.isArray(raw)) return { error: fieldError(part, key, 'given more than once') };
    }
    if (prop === undefined || typeof raw !== 'string') {
      out[key] = raw;
      continue;
    }
    const r = strictScalar(prop, raw);
    if ('error' in r) return { error: fieldError(part, key, r.error) };
    out[key] = r.value;
  }
  return { value: out };
}

function fieldError(part: string, field: string, message: string): SchemaValidationError {
  return new SchemaValidationError(part, field, describe(part, `/${field}`, message));
}

export const typeBoxValidatorCompiler: FastifySchemaCompiler<unknown> = ({
  schema,
  httpPart,
  method,
  url,
}) => {
  if (!isTypeBoxSchema(schema)) {
    throw new TypeError(
      `${method} ${url}: the ${httpPart ?? 'request'} schema must be a TypeBox schema`,
    );
  }
  const checker = TypeCompiler.Compile(schema);
  const part = httpPart ?? 'body';
  return (input: unknown) => {
    let value = input;
    if (part === 'params' || part === 'querystring' || part === 'headers') {
      const converted = convertStrict(schema, part, input);
      if ('error' in converted) return { error: converted.error };
      value = converted.value;
    }
    value = Value.Default(schema, value);
    if (checker.Check(value)) return { value };
    const first = checker.Errors(value).First();
    const pointer = first?.path ?? '';
    const message = first?.message ?? 'does not match its schema';
    return {
      error: new SchemaValidationError(
        part,
        pointer.replace(/^\//, ''),
        describe(part, pointer, message),
      ),
    };
  };
};

/**
 * Responses are written with JSON.stringify, exactly as the handler built them: the
 * response schemas document the API (OpenAPI, docs/api.md) and never drop or coerce a
 * field (fast-json-stringify, fastify's default, removes properties a schema omits).
 * With `check` (env CHAINLAB_CHECK_RESPONSES=1, set by the e2e tests) every response is
 * also checked against its schema and a mismatch is logged at error level, so the
 * documentation cannot drift from what the services answer.
 */
export function responseSerializerCompiler(
  log: { error: (obj: object, msg: string) => void } | undefined,
  check: boolean,
): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url, httpStatus }) => {
    const checker = check && isTypeBoxSchema(schema) ? TypeCompiler.Compile(schema) : undefined;
    return (data: unknown) => {
      const json = JSON.stringify(data);
      if (checker && !checker.Check(JSON.parse(json))) {
        const first = checker.Errors(JSON.parse(json)).First();
        log?.error(
          { method, url, status: httpStatus, path: first?.path, reason: first?.message },
          'response does not match its schema',
        );
      }
      return json;
    };
  };
}
