// Route schemas are TypeBox schemas: one declaration gives the JSON schema (for
// validation and docs) and the TypeScript type of `request.body` / `query` / `params`.
//
// Validation uses TypeBox's compiler rather than fastify's default Ajv: bodies are
// checked strictly (no type coercion: {"url": 5} is not a string), while params,
// querystring and headers (always strings on the wire) are converted to the declared
// types first (`?limit=10` → 10).

import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';

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
  return `invalid ${part} field '${field}': ${message}`;
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
  const convert = part !== 'body';
  return (input: unknown) => {
    let value = Value.Default(schema, input);
    if (convert) value = Value.Convert(schema, value);
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
