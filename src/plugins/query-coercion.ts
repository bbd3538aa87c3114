// Query strings are text; JSON bodies are not. Ajv's type coercion is one switch for both,
// and on bodies it does harm: inside a union it rewrites `"temperature": null` to 0,
// `"stop": null` to "" and `"seed": null` to 0, and it refuses a one-part content array
// (`[{"type":"text",…}]` is "coerced" towards a string first). So Ajv runs without coercion
// and this hook turns the query's numbers and booleans into their types beforehand, going
// by the route's own querystring schema.
import type { FastifyRequest } from 'fastify';

interface PropertySchema {
  type?: string;
}

const NUMBER = /^-?\d{1,16}(\.\d{1,16})?$/;

function coerce(value: unknown, type: string | undefined): unknown {
  if (typeof value !== 'string') return value;
  if ((type === 'integer' || type === 'number') && NUMBER.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

export async function coerceQuery(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, PropertySchema> } | undefined;
  const properties = schema?.properties;
  const query = request.query as Record<string, unknown> | undefined;
  if (!properties || !query) return;
  const coerced: Record<string, unknown> = { ...query };
  for (const [name, property] of Object.entries(properties)) {
    if (name in coerced) coerced[name] = coerce(coerced[name], property.type);
  }
  request.query = coerced;
}
