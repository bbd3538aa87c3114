import { describe, expect, it } from 'vitest';
import { toGeminiParameters, toGeminiSchema } from './schema.js';

describe('JSON Schema to the Gemini Schema subset', () => {
  it('drops the keywords Gemini rejects and uppercases types', () => {
    const schema = toGeminiSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: { city: { type: 'string', description: 'City name', minLength: 1 }, days: { type: 'integer', minimum: 1 } },
      required: ['city'],
    });
    expect(schema).toEqual({
      type: 'OBJECT',
      properties: { city: { type: 'STRING', description: 'City name', minLength: 1 }, days: { type: 'INTEGER', minimum: 1 } },
      required: ['city'],
    });
  });

  it('inlines $ref from $defs and definitions', () => {
    const schema = toGeminiSchema({
      type: 'object',
      properties: { home: { $ref: '#/$defs/Place' }, work: { $ref: '#/definitions/Place' } },
      $defs: { Place: { type: 'object', properties: { name: { type: 'string' } } } },
      definitions: { Place: { type: 'object', properties: { name: { type: 'string' } } } },
    });
    const place = { type: 'OBJECT', properties: { name: { type: 'STRING' } } };
    expect(schema.properties).toEqual({ home: place, work: place });
    expect(JSON.stringify(schema)).not.toContain('$defs');
  });

  it('cuts a recursive $ref off instead of looping', () => {
    const schema = toGeminiSchema({
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    });
    let depth = 0;
    let node = schema;
    while (node.properties?.child) {
      node = node.properties.child;
      depth++;
    }
    expect(depth).toBeGreaterThan(3);
    expect(depth).toBeLessThan(20);
    expect(node.type).toBe('OBJECT');
  });

  it('turns ["T", "null"] and anyOf [T, null] into nullable', () => {
    expect(toGeminiSchema({ type: ['string', 'null'] })).toEqual({ type: 'STRING', nullable: true });
    expect(toGeminiSchema({ anyOf: [{ type: 'number' }, { type: 'null' }], description: 'n' })).toEqual({
      type: 'NUMBER',
      nullable: true,
      description: 'n',
    });
  });

  it('keeps real alternatives as anyOf (oneOf too)', () => {
    expect(toGeminiSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual({
      anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }],
    });
  });

  it('turns const into a one-value string enum', () => {
    expect(toGeminiSchema({ const: 'celsius' })).toEqual({ type: 'STRING', enum: ['celsius'] });
  });

  it('moves a non-string enum into the description (Gemini allows enum on STRING only)', () => {
    const schema = toGeminiSchema({ type: 'integer', enum: [1, 2, 3], description: 'Level.' });
    expect(schema.enum).toBeUndefined();
    expect(schema).toMatchObject({ type: 'INTEGER', description: 'Level. Allowed values: 1, 2, 3.' });
  });

  it('merges allOf parts', () => {
    const schema = toGeminiSchema({
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'boolean' } }, required: ['b'] },
      ],
    });
    expect(schema).toEqual({
      type: 'OBJECT',
      properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } },
      required: ['a', 'b'],
    });
  });

  it('converts array items', () => {
    expect(toGeminiSchema({ type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 3 })).toEqual({
      type: 'ARRAY',
      items: { type: 'STRING', enum: ['a', 'b'] },
      maxItems: 3,
    });
  });
});

describe('tool parameters', () => {
  it('leaves parameters unset for a function without arguments', () => {
    expect(toGeminiParameters({ type: 'object', properties: {}, additionalProperties: false })).toBeUndefined();
    expect(toGeminiParameters(undefined)).toBeUndefined();
  });

  it('keeps parameters that have properties', () => {
    expect(toGeminiParameters({ type: 'object', properties: { q: { type: 'string' } } })).toEqual({
      type: 'OBJECT',
      properties: { q: { type: 'STRING' } },
    });
  });
});
