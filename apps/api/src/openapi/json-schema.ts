import { z } from 'zod';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), as it goes into the document. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Keywords whose values are data, not schemas: a `$ref` inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** `json` with every local `$ref` (`#`, `#/$defs/…`) made to point under `base` instead of the root. */
const rebase = (json: unknown, base: string): unknown => {
  if (Array.isArray(json)) return json.map((item) => rebase(item, base));
  if (typeof json !== 'object' || json === null) return json;
  return Object.fromEntries(
    Object.entries(json).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#'))
        return [key, `${base}${value.slice(1)}`];
      return [key, DATA_KEYWORDS.has(key) ? value : rebase(value, base)];
    }),
  );
};

/**
 * A zod schema as JSON Schema, with zod's own converter: `io: 'input'` for what a client sends
 * (a field with a default is optional), `'output'` for what the api answers. `unrepresentable:
 * 'any'`: a part JSON Schema cannot say (a transform's output, a refinement, a `z.date()` in a
 * user's payload schema) becomes `{}`, "anything", rather than throwing and taking the api down
 * with it; the api still checks it.
 *
 * zod writes references from the schema's root (`#` for a recursive schema, `#/$defs/…` for a
 * shared one). In the OpenAPI document the root is the document, so `at`, the pointer where the
 * schema is placed (`#/components/schemas/EMAILPayload`), is put in front of each. Without `at`
 * the schema is placed inline, where a reference could not be told where it points: one throws.
 *
 * @example
 * toJsonSchema(z.object({ limit: z.int() }), 'input', '#/components/schemas/Page');
 * // { type: 'object', properties: { limit: { type: 'integer', … } }, required: ['limit'] }
 */
export const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output', at?: string): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  if (at !== undefined) return rebase(json, at) as JsonSchema;
  if (JSON.stringify(json).includes('"$ref"')) throw new Error('a schema with references must be placed at a pointer');
  return json;
};
