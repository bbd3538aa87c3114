import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget, ChatMessage, ChatRequest } from '../types.js';
import { SKIP_SIGNATURE } from './messages.js';
import { buildChatRequest, buildGeminiBody } from './request.js';

const now = new Date('2026-01-01T00:00:00Z');

function target(model = 'gemini-2.5-flash', overrides: Parameters<typeof callTarget>[2] = {}): CallTarget {
  return callTarget('google', model, overrides);
}

function body(request: ChatRequest, t: CallTarget = target()) {
  return buildGeminiBody(request, t);
}

const hi: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

describe('endpoint and auth', () => {
  it('posts to generateContent with the key in x-goog-api-key, ignoring the request model', () => {
    const built = buildChatRequest({ model: 'gpt-4o', messages: hi }, target(), { stream: false, now });
    expect(built.method).toBe('POST');
    expect(built.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(built.headers['x-goog-api-key']).toBe('test-key-0123456789');
    expect(built.url).not.toContain('key=');
  });

  it('streams from streamGenerateContent with alt=sse', () => {
    const built = buildChatRequest({ messages: hi, stream: true }, target(), { stream: true, now });
    expect(built.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('accepts a base URL that already ends in /v1beta and a models/ model name', () => {
    const t = target('models/gemini-2.5-pro', { baseUrl: 'https://proxy.example.com/v1beta/' });
    expect(buildChatRequest({ messages: hi }, t, { stream: false, now }).url).toBe(
      'https://proxy.example.com/v1beta/models/gemini-2.5-pro:generateContent',
    );
  });
});

describe('messages', () => {
  it('sends system and developer messages as systemInstruction and assistant as model', () => {
    const b = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: 'Again' },
      ],
    });
    expect(b.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(b.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Again' }] },
    ]);
  });

  it('sends data-URL images inline and remote images as fileData with a guessed MIME type', () => {
    const b = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=2' } },
            { type: 'image_url', image_url: { url: 'https://example.com/render' } },
          ],
        },
      ],
    });
    expect(b.contents[0].parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=2' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render' } },
    ]);
  });

  it('turns tool calls into functionCall parts and answers into one user turn of functionResponse parts', () => {
    const b = body({
      messages: [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_forecast', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_b', content: 'sunny' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(b.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Lyon?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_forecast', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: { temp: 21 } } } },
          { functionResponse: { name: 'get_forecast', response: { output: 'sunny' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
  });

  it('drops an empty assistant message rather than sending a content with no parts', () => {
    const b = body({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }, { role: 'user', content: 'b' }] });
    expect(b.contents.map((c) => c.role)).toEqual(['user', 'user']);
  });
});

describe('thought signatures on the way back', () => {
  const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
  const call2 = { id: 'call_2', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } };

  it('puts the returned signature on the first function call, as Gemini signs it', () => {
    const b = body(
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [call, call2], thinking_blocks: [{ type: 'thinking', signature: 'SIG-1' }] },
          { role: 'tool', tool_call_id: 'call_1', content: '21' },
          { role: 'tool', tool_call_id: 'call_2', content: '19' },
        ],
      },
      target('gemini-3.1-pro-preview'),
    );
    expect(b.contents[1].parts[0]).toMatchObject({ functionCall: { name: 'get_weather' }, thoughtSignature: 'SIG-1' });
    expect(b.contents[1].parts[1].thoughtSignature).toBeUndefined();
  });

  it('puts a signature on the text when the message has no tool calls', () => {
    const b = body({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello', thinking_blocks: [{ type: 'thinking', signature: 'SIG-T' }] },
        { role: 'user', content: 'More' },
      ],
    });
    expect(b.contents[1].parts).toEqual([{ text: 'Hello', thoughtSignature: 'SIG-T' }]);
  });

  it('sends the documented skip placeholder to Gemini 3 when the caller lost the signature', () => {
    const b = body({ messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', tool_calls: [call, call2] }] }, target('gemini-3-pro-preview'));
    expect(b.contents[1].parts[0].thoughtSignature).toBe(SKIP_SIGNATURE);
    expect(b.contents[1].parts[1].thoughtSignature).toBeUndefined();
  });

  it('sends no placeholder to Gemini 2.5, which does not require signatures', () => {
    const b = body({ messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', tool_calls: [call] }] }, target('gemini-2.5-flash'));
    expect(b.contents[1].parts[0].thoughtSignature).toBeUndefined();
  });

  it('ignores thinking blocks another provider wrote (they carry thought text)', () => {
    const b = body(
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', tool_calls: [call], thinking_blocks: [{ type: 'thinking', thinking: 'Let me check', signature: 'ANTHROPIC-SIG' }] },
        ],
      },
      target('gemini-3-pro-preview'),
    );
    expect(b.contents[1].parts[0].thoughtSignature).toBe(SKIP_SIGNATURE);
  });
});

describe('tools', () => {
  const tools: ChatRequest['tools'] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
        strict: true,
      },
    },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
  ];

  it('declares functions with the schema cleaned to what Gemini accepts', () => {
    const b = body({ messages: hi, tools });
    expect(b.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
          { name: 'get_time' },
        ],
      },
    ]);
    expect(b.toolConfig).toBeUndefined();
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [{ type: 'function', function: { name: 'get_time' } }, { mode: 'ANY', allowedFunctionNames: ['get_time'] }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(body({ messages: hi, tools, tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it('sends no toolConfig when there are no tools', () => {
    expect(body({ messages: hi, tool_choice: 'none' }).toolConfig).toBeUndefined();
  });
});

describe('generationConfig', () => {
  it('maps sampling and limits', () => {
    const b = body(
      { messages: hi, max_tokens: 100, max_completion_tokens: 200, temperature: 0.2, top_p: 0.9, stop: 'END', seed: 7 },
      target('fake-model'),
    );
    expect(b.generationConfig).toEqual({ maxOutputTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ['END'], seed: 7 });
  });

  it('asks 2.5 Flash for no thinking when the slot has reasoning off', () => {
    expect(body({ messages: hi }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });

  it('falls back to the slot settings when the request sets neither', () => {
    const b = body({ messages: hi }, target('gemini-2.5-flash', { settings: { temperature: 0.5, maxOutputTokens: 4000 } }));
    expect(b.generationConfig).toMatchObject({ temperature: 0.5, maxOutputTokens: 4000 });
    const overridden = body({ messages: hi, temperature: 1, max_tokens: 10 }, target('gemini-2.5-flash', { settings: { temperature: 0.5, maxOutputTokens: 4000 } }));
    expect(overridden.generationConfig).toMatchObject({ temperature: 1, maxOutputTokens: 10 });
  });

  it('asks for JSON for json_object', () => {
    expect(body({ messages: hi, response_format: { type: 'json_object' } }).generationConfig).toMatchObject({
      responseMimeType: 'application/json',
    });
  });

  it('sends a json_schema as responseSchema in Gemini form', () => {
    const b = body({
      messages: hi,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: false } },
      },
    });
    expect(b.generationConfig?.responseMimeType).toBe('application/json');
    expect(b.generationConfig?.responseSchema).toEqual({ type: 'OBJECT', properties: { ok: { type: 'BOOLEAN' } } });
  });

  it('omits generationConfig when there is nothing to say', () => {
    expect(body({ messages: hi }, target('fake-model')).generationConfig).toBeUndefined();
  });
});

describe('reasoning', () => {
  it('maps the slot preset to thinkingConfig with thoughts', () => {
    const b = body({ messages: hi }, target('gemini-3.1-pro-preview-customtools', { settings: { reasoning: { level: 'medium', custom: null } } }));
    expect(b.generationConfig?.thinkingConfig).toEqual({ thinkingLevel: 'medium', includeThoughts: true });
  });

  it('lets reasoning_effort none turn it down to the lowest level for that call', () => {
    const b = body(
      { messages: hi, reasoning_effort: 'none' },
      target('gemini-3.1-pro-preview', { settings: { reasoning: { level: 'high', custom: null } } }),
    );
    expect(b.generationConfig?.thinkingConfig).toEqual({ thinkingLevel: 'low' });
  });

  it('replaces the preset with the custom override, merged into generationConfig and the top level', () => {
    const custom = {
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/abc',
      mediaResolution: 'MEDIA_RESOLUTION_LOW',
    };
    const b = body({ messages: hi, max_tokens: 50 }, target('gemini-2.5-flash', { settings: { reasoning: { level: 'custom', custom } } }));
    expect(b.generationConfig).toEqual({
      maxOutputTokens: 50,
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
      mediaResolution: 'MEDIA_RESOLUTION_LOW',
    });
    expect(b.safetySettings).toEqual(custom.safetySettings);
    expect(b.cachedContent).toBe('cachedContents/abc');
  });

  it('reads only the google part of a namespaced override, and a nested generationConfig', () => {
    const custom = { anthropic: { thinking: { type: 'enabled' } }, google: { generationConfig: { thinkingConfig: { thinkingLevel: 'low' } } } };
    const b = body({ messages: hi }, target('gemini-3-pro-preview', { settings: { reasoning: { level: 'custom', custom } } }));
    expect(b.generationConfig).toEqual({ thinkingConfig: { thinkingLevel: 'low' } });
    expect(JSON.stringify(b)).not.toContain('anthropic');
  });
});
