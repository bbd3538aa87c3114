// JSON Schema (what OpenAI callers send for tool parameters and json_schema output) to
// the OpenAPI 3.0 subset `FunctionDeclaration.parameters` and `responseSchema` accept
// (ai.google.dev/api/caching#Schema). Gemini answers 400 to keywords outside that subset
// ($schema, additionalProperties, $ref, const, oneOf…), so the conversion keeps an
// allow-list: refs are inlined, `const` becomes a one-value enum, `["T","null"]` and
// `anyOf: [T, null]` become `nullable`, enum values become strings (Schema.enum is string[]).
import { isPlainObject } from '../../reasoning/index.js';
import type { GeminiSchema } from './wire.js';

type JsonSchema = Record<string, unknown>;

const TYPE_NAMES: Record<string, GeminiSchema['type']> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

const COPIED_KEYWORDS = [
  'format',
  'title',
  'description',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'default',
  'example',
  'propertyOrdering',
] as const;

/** Deeper than this, a (recursive) $ref is cut off as a plain object. */
const MAX_REF_DEPTH = 8;

interface Context {
  root: JsonSchema;
  refDepth: number;
}

function resolveRef(ref: string, ctx: Context): JsonSchema | null {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match) return null;
  const defs = ctx.root[match[1]];
  const name = decodeURIComponent(match[2].replace(/~1/g, '/').replace(/~0/g, '~'));
  const target = isPlainObject(defs) ? defs[name] : undefined;
  return isPlainObject(target) ? target : null;
}

function isNullSchema(schema: unknown): boolean {
  return isPlainObject(schema) && schema.type === 'null';
}

function convertNode(schema: unknown, ctx: Context): GeminiSchema {
  if (!isPlainObject(schema)) return {};
  if (typeof schema.$ref === 'string') {
    const target = ctx.refDepth < MAX_REF_DEPTH ? resolveRef(schema.$ref, ctx) : null;
    if (!target) return { type: 'OBJECT', ...(typeof schema.description === 'string' ? { description: schema.description } : {}) };
    const { $ref: _ref, ...siblings } = schema;
    return convertNode({ ...target, ...siblings }, { ...ctx, refDepth: ctx.refDepth + 1 });
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const { allOf, ...rest } = schema;
    return convertNode(mergeAllOf(allOf as unknown[], rest), ctx);
  }

  const out: GeminiSchema = {};
  for (const key of COPIED_KEYWORDS) {
    if (schema[key] !== undefined) (out as Record<string, unknown>)[key] = schema[key];
  }

  applyType(schema.type, out);
  if (schema.const !== undefined) applyEnum([schema.const], out);
  if (Array.isArray(schema.enum)) applyEnum(schema.enum, out);

  if (isPlainObject(schema.properties)) {
    out.properties = {};
    for (const [name, value] of Object.entries(schema.properties)) out.properties[name] = convertNode(value, ctx);
    out.type ??= 'OBJECT';
  }
  if (Array.isArray(schema.required)) out.required = schema.required.filter((r): r is string => typeof r === 'string');
  if (schema.items !== undefined) {
    // Tuple-style `items: [...]` has no Gemini form; the first entry is the best single item schema.
    out.items = convertNode(Array.isArray(schema.items) ? schema.items[0] : schema.items, ctx);
  }

  const alternatives = (Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null) as unknown[] | null;
  if (alternatives) applyAlternatives(alternatives, out, ctx);
  return out;
}

function applyType(type: unknown, out: GeminiSchema): void {
  if (typeof type === 'string') {
    if (TYPE_NAMES[type]) out.type = TYPE_NAMES[type];
    return;
  }
  if (!Array.isArray(type)) return;
  const nonNull = type.filter((t) => t !== 'null');
  if (nonNull.length < type.length) out.nullable = true;
  if (nonNull.length === 1 && typeof nonNull[0] === 'string') out.type = TYPE_NAMES[nonNull[0]];
  else if (nonNull.length > 1) out.anyOf = nonNull.map((t) => ({ type: TYPE_NAMES[String(t)] })).filter((s) => s.type);
}

function applyEnum(values: unknown[], out: GeminiSchema): void {
  if (values.includes(null)) out.nullable = true;
  const allowed = values.filter((v) => v !== null);
  out.type ??= allowed.every((v) => typeof v === 'string') ? 'STRING' : undefined;
  if (out.type === 'STRING') {
    out.enum = allowed.map(String);
    return;
  }
  // Gemini answers "enum: only allowed for STRING type"; keep the type and say the values in words.
  const said = `Allowed values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}.`;
  out.description = out.description ? `${out.description} ${said}` : said;
}

function applyAlternatives(alternatives: unknown[], out: GeminiSchema, ctx: Context): void {
  const nonNull = alternatives.filter((alt) => !isNullSchema(alt));
  if (nonNull.length < alternatives.length) out.nullable = true;
  if (nonNull.length === 1) {
    // `anyOf: [T, {type: null}]` is how zod and pydantic spell an optional T.
    const nullable = out.nullable || undefined;
    Object.assign(out, convertNode(nonNull[0], ctx));
    if (nullable) out.nullable = true;
    return;
  }
  if (nonNull.length > 1) out.anyOf = nonNull.map((alt) => convertNode(alt, ctx));
}

function mergeAllOf(parts: unknown[], base: JsonSchema): JsonSchema {
  const merged: JsonSchema = { ...base };
  const properties: JsonSchema = isPlainObject(base.properties) ? { ...base.properties } : {};
  const required = new Set<string>(Array.isArray(base.required) ? (base.required as string[]) : []);
  for (const part of parts) {
    if (!isPlainObject(part)) continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isPlainObject(value)) Object.assign(properties, value);
      else if (key === 'required' && Array.isArray(value)) value.forEach((r) => required.add(String(r)));
      else if (merged[key] === undefined) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/** A JSON Schema converted to Gemini's Schema subset. */
export function toGeminiSchema(schema: Record<string, unknown>): GeminiSchema {
  return convertNode(schema, { root: schema, refDepth: 0 });
}

/**
 * Tool parameters: a function without parameters leaves the field unset (Gemini rejects
 * an OBJECT with no properties at the top of a declaration).
 */
export function toGeminiParameters(schema: Record<string, unknown> | undefined): GeminiSchema | undefined {
  if (!schema) return undefined;
  const converted = toGeminiSchema(schema);
  const noProperties = !converted.properties || Object.keys(converted.properties).length === 0;
  if (converted.type === 'OBJECT' && noProperties && !converted.anyOf) return undefined;
  return converted;
}
