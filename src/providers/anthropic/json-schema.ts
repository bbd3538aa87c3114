// Structured outputs (`output_config.format`) validate the schema strictly and reject
// keywords they do not support: numeric bounds, string length bounds, array bounds
// beyond minItems 0/1 (platform.claude.com/docs/en/build-with-claude/structured-outputs,
// "JSON Schema limitations"). The official SDKs strip these before sending; so do we.
// Only the unsupported constraints are removed: structure, `required`,
// `additionalProperties`, `enum`, `format` and descriptions stay as the caller wrote them.

const UNSUPPORTED = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
]);

/** Keywords whose value is one schema, or a map / list of schemas. */
const SCHEMA_VALUED = new Set(['items', 'additionalProperties', 'not', 'contains']);
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'patternProperties']);
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems']);

export function sanitizeOutputSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return sanitizeNode(schema) as Record<string, unknown>;
}

function sanitizeNode(node: unknown): unknown {
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (UNSUPPORTED.has(key)) continue;
    if (key === 'minItems' && typeof value === 'number' && value > 1) continue;
    if (SCHEMA_VALUED.has(key)) out[key] = sanitizeNode(value);
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, sanitizeNode(inner)]));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(sanitizeNode);
    else out[key] = value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
