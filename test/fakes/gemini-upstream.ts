// A local Gemini API (v1beta) for end-to-end tests: generateContent,
// streamGenerateContent?alt=sse and models.list, in the documented wire format.
// Deterministic: with tools (and no tool result last) it calls the first tool with
// {"city":"Paris"}; with JSON output it answers {"ok":true}; otherwise "Hello from gemini".
// With includeThoughts it adds a thought part and a thoughtSignature. Like the real API,
// a bad key is a 400 API_KEY_INVALID, and a Gemini 3 model rejects a function-call turn
// whose first call lost its signature.
import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startFakeServer, type FakeCall, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream } from './fake-server.js';

export const FAKE_GEMINI_SIGNATURE = 'ZmFrZS10aG91Z2h0LXNpZ25hdHVyZQ==';
export const FAKE_GEMINI_MODELS = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-3-pro-preview',
  'gemini-3-flash-preview',
  'gemini-3.1-pro-preview',
  'gemini-3.1-pro-preview-customtools',
  'fake-model',
];

const USAGE = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
const THINKING_USAGE = { promptTokenCount: 10, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 15 };
const STREAM_GAP_MS = 5;

type Part = Record<string, any>;

function googleError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const INVALID_KEY = googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
]);

const NO_KEY = googleError(
  403,
  'PERMISSION_DENIED',
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
);

/** Google's JSON content type, on every JSON answer (failNext's included). */
const JSON_UTF8 = { 'content-type': 'application/json; charset=UTF-8' };

function sendGoogleJson(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, JSON_UTF8);
}

interface Answer {
  thinking: boolean;
  /** The answer's parts, without the thought part. */
  parts: Part[];
}

function answerFor(body: any): Answer {
  const thinking = body?.generationConfig?.thinkingConfig?.includeThoughts === true;
  const contents: any[] = Array.isArray(body?.contents) ? body.contents : [];
  const lastParts: any[] = contents.at(-1)?.parts ?? [];
  const toolResultLast = lastParts.some((part) => part?.functionResponse);
  const firstTool = body?.tools?.[0]?.functionDeclarations?.[0]?.name;
  if (firstTool && !toolResultLast) {
    return { thinking, parts: [{ functionCall: { name: firstTool, args: { city: 'Paris' } } }] };
  }
  const json = body?.generationConfig?.responseMimeType === 'application/json';
  return { thinking, parts: [{ text: json ? '{"ok":true}' : 'Hello from gemini' }] };
}

/** Gemini 3 validates the signature of the first call of each model function-call turn. */
function missingSignature(model: string, body: any): boolean {
  if (!model.startsWith('gemini-3')) return false;
  for (const content of body?.contents ?? []) {
    if (content?.role !== 'model') continue;
    const firstCall = (content.parts ?? []).find((part: any) => part?.functionCall);
    if (firstCall && !firstCall.thoughtSignature) return true;
  }
  return false;
}

function candidate(parts: Part[], finishReason?: string) {
  return { content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 };
}

function fullResponse(model: string, answer: Answer) {
  const parts: Part[] = answer.parts.map((part) => ({ ...part }));
  if (answer.thinking) {
    parts[0].thoughtSignature = FAKE_GEMINI_SIGNATURE;
    parts.unshift({ text: 'Thinking about it.', thought: true });
  }
  return {
    candidates: [candidate(parts, 'STOP')],
    usageMetadata: answer.thinking ? THINKING_USAGE : USAGE,
    modelVersion: model,
    responseId: 'fake-gemini-response',
  };
}

/** Small events, as the real stream sends them: thought, text pieces, then the finish with usage. */
function streamEvents(model: string, answer: Answer): unknown[] {
  const usage = answer.thinking ? THINKING_USAGE : USAGE;
  const event = (parts: Part[], finishReason?: string) => ({
    candidates: [candidate(parts, finishReason)],
    usageMetadata: usage,
    modelVersion: model,
    responseId: 'fake-gemini-response',
  });
  const events: unknown[] = [];
  if (answer.thinking) events.push(event([{ text: 'Thinking about it.', thought: true }]));
  const call = answer.parts.find((part) => part.functionCall);
  if (call) {
    // A functionCall always arrives whole in one event.
    events.push(event([{ ...call, ...(answer.thinking ? { thoughtSignature: FAKE_GEMINI_SIGNATURE } : {}) }]));
    events.push(event([], 'STOP'));
    return events;
  }
  const text: string = answer.parts[0].text;
  const pieces = text.match(/.{1,5}/gs) ?? [text];
  for (const piece of pieces) events.push(event([{ text: piece }]));
  // The signature rides on a final empty text part, as Gemini 3 streams do.
  events.push(event([{ text: '', ...(answer.thinking ? { thoughtSignature: FAKE_GEMINI_SIGNATURE } : {}) }], 'STOP'));
  return events;
}

export function startGeminiUpstream(): Promise<FakeUpstream> {
  const seenModels = new Set<string>();

  async function handle({ req, res, url: rawUrl, body }: FakeCall): Promise<void> {
    const key = req.headers['x-goog-api-key'];
    if (!key) return sendGoogleJson(res, 403, NO_KEY);
    if (key === 'bad-key') return sendGoogleJson(res, 400, INVALID_KEY);

    const url = new URL(rawUrl, 'http://fake');
    if (req.method === 'GET' && url.pathname === '/v1beta/models') {
      const ids = [...new Set([...FAKE_GEMINI_MODELS, ...seenModels])];
      return sendGoogleJson(res, 200, { models: ids.map((id) => ({ name: `models/${id}`, supportedGenerationMethods: ['generateContent'] })) });
    }

    const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      return sendGoogleJson(res, 404, googleError(404, 'NOT_FOUND', `Method not found: ${req.method} ${url.pathname}`));
    }
    const model = decodeURIComponent(match[1]);
    seenModels.add(model);
    if (!body || typeof body !== 'object' || !Array.isArray(body.contents)) {
      return sendGoogleJson(res, 400, googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. contents is required.'));
    }
    if (missingSignature(model, body)) {
      return sendGoogleJson(
        res,
        400,
        googleError(400, 'INVALID_ARGUMENT', 'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly.'),
      );
    }

    const answer = answerFor(body);
    if (match[2] === 'generateContent') return sendGoogleJson(res, 200, fullResponse(model, answer));

    if (url.searchParams.get('alt') !== 'sse') {
      // Without alt=sse the real API streams a JSON array; the adapter never asks for that.
      return sendGoogleJson(res, 200, streamEvents(model, answer));
    }
    const lines = streamEvents(model, answer).map((event) => `data: ${JSON.stringify(event)}`);
    await sendSse(res, lines, { gapMs: STREAM_GAP_MS, separator: '\r\n\r\n' });
  }

  return startFakeServer({
    handle,
    emptyBody: null,
    failureHeaders: JSON_UTF8,
    internalError: (res, error) => sendGoogleJson(res, 500, googleError(500, 'INTERNAL', String(error))),
  });
}
