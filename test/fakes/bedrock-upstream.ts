// A local stand-in for Bedrock: Converse, ConverseStream (binary event stream) and
// ListFoundationModels, speaking the documented wire format. Requests are SigV4-checked:
// fully (signature recomputed) for FAKE_AWS_CREDENTIALS, by shape for any other key, and
// the access key id `bad-key` (or Bearer `bad-key`) is rejected the way AWS does (403).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeEventStreamMessage } from '../../src/providers/shared/aws-event-stream.js';
import { sign } from '../../src/providers/shared/aws-sigv4.js';
import { sendJson, sendPaced, startFakeServer, type FakeUpstream } from './fake-server.js';

export type { FakeUpstream } from './fake-server.js';

/** The pair whose signatures the fake recomputes (any region). */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: 'AKIAFAKEUPSTREAM0001', secretAccessKey: 'fake-upstream-secret' };

const LISTED_MODELS = ['fake-model', 'anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic.claude-sonnet-4-6', 'amazon.nova-pro-v1:0'];
const USAGE = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
const REASONING = { text: 'Thinking about it.', signature: 'fake-bedrock-signature' };

const REQUEST_ID = { 'x-amzn-requestid': 'fake-request-id' };

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

/** null when the request may proceed, else the AWS error it earns. */
function authProblem(req: IncomingMessage, rawPath: string, body: string): [number, string, string] | null {
  const authorization = req.headers.authorization ?? '';
  if (authorization.startsWith('Bearer ')) {
    return authorization === 'Bearer bad-key' ? [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'] : null;
  }
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(authorization);
  if (!match || !req.headers['x-amz-date']) return [403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'];
  const [, accessKeyId, , region, signedHeaders] = match;
  if (accessKeyId === 'bad-key') return [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'];
  if (!signedHeaders.split(';').includes('host')) return [403, 'IncompleteSignatureException', 'host must be signed'];
  if (accessKeyId !== FAKE_AWS_CREDENTIALS.accessKeyId) return null;
  const [path, query = ''] = rawPath.split('?');
  const headers = Object.fromEntries(signedHeaders.split(';').map((name) => [name, String(req.headers[name] ?? '')]));
  const expected = sign({ method: req.method ?? 'GET', path, query, headers, body }, { region, service: 'bedrock', credentials: FAKE_AWS_CREDENTIALS });
  return expected.authorization === authorization
    ? null
    : [403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'];
}

interface Plan {
  reasoning: boolean;
  tool: { name: string } | null;
  text: string;
}

function planAnswer(body: any): Plan {
  const extra = body?.additionalModelRequestFields ?? {};
  const reasoning =
    ['enabled', 'adaptive'].includes(extra.thinking?.type) || extra.reasoningConfig?.type === 'enabled' || typeof extra.reasoning_effort === 'string';
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  const lastIsToolResult = Array.isArray(last?.content) && last.content.some((block: any) => block?.toolResult);
  const firstTool = body?.toolConfig?.tools?.[0]?.toolSpec?.name;
  if (firstTool && !lastIsToolResult) return { reasoning, tool: { name: firstTool }, text: '' };
  const systemText = (body?.system ?? []).map((s: any) => s?.text ?? '').join(' ');
  const wantsJson = Boolean(body?.outputConfig?.textFormat) || /json/i.test(systemText);
  return { reasoning, tool: null, text: wantsJson ? '{"ok":true}' : 'Hello from bedrock' };
}

function converseResponse(plan: Plan): unknown {
  const content: unknown[] = [];
  if (plan.reasoning) content.push({ reasoningContent: { reasoningText: REASONING } });
  if (plan.tool) content.push({ toolUse: { toolUseId: 'tooluse_fake0001', name: plan.tool.name, input: { city: 'Paris' } } });
  else content.push({ text: plan.text });
  return { output: { message: { role: 'assistant', content } }, stopReason: plan.tool ? 'tool_use' : 'end_turn', usage: USAGE, metrics: { latencyMs: 3 } };
}

function streamEvents(plan: Plan): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [['messageStart', { role: 'assistant' }]];
  let index = 0;
  if (plan.reasoning) {
    events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: 'Thinking ' } } }]);
    events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: 'about it.' } } }]);
    events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature: REASONING.signature } } }]);
    events.push(['contentBlockStop', { contentBlockIndex: index++ }]);
  }
  if (plan.tool) {
    events.push(['contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: 'tooluse_fake0001', name: plan.tool.name } } }]);
    for (const fragment of ['{"ci', 'ty":"Pa', 'ris"}']) {
      events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: fragment } } }]);
    }
  } else {
    const words = plan.text.match(/.{1,6}/g) ?? [''];
    for (const word of words) events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { text: word } }]);
  }
  events.push(['contentBlockStop', { contentBlockIndex: index }]);
  events.push(['messageStop', { stopReason: plan.tool ? 'tool_use' : 'end_turn' }]);
  events.push(['metadata', { usage: USAGE, metrics: { latencyMs: 3 } }]);
  return events;
}

function writeStream(res: ServerResponse, plan: Plan): Promise<void> {
  const frames = streamEvents(plan).map(([eventType, payload]) =>
    encodeEventStreamMessage({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify({ ...(payload as object), p: 'abcd' })),
  );
  return sendPaced(res, frames, { headers: { 'content-type': 'application/vnd.amazon.eventstream', ...REQUEST_ID }, gapMs: 5 });
}

export function startBedrockUpstream(): Promise<FakeUpstream> {
  const seenModels = new Set<string>();
  return startFakeServer({
    internalError: (res, error) => awsError(res, 500, 'InternalServerException', String(error)),
    async handle({ req, res, url: rawPath, path, raw, body }) {
      const problem = authProblem(req, rawPath, raw);
      if (problem) return awsError(res, ...problem);

      if (req.method === 'GET' && path === '/foundation-models') {
        const ids = [...new Set([...LISTED_MODELS, ...seenModels])];
        return sendJson(res, 200, { modelSummaries: ids.map((modelId) => ({ modelId, providerName: 'Fake', outputModalities: ['TEXT'] })) });
      }
      const route = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
      if (req.method !== 'POST' || !route) return awsError(res, 404, 'UnknownOperationException', 'Unknown operation');
      if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
        return awsError(res, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
      }
      seenModels.add(decodeURIComponent(route[1]));
      const plan = planAnswer(body);
      if (route[2] === 'converse-stream') return writeStream(res, plan);
      sendJson(res, 200, converseResponse(plan), REQUEST_ID);
    },
  });
}
