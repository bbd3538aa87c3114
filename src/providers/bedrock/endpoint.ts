// Where a Bedrock call goes and how it is authenticated. A non-empty target.baseUrl
// replaces the AWS host (VPC interface endpoints, local test servers); the signing
// region still comes from params.region.
import { signRequest, uriEncode, type AwsCredentials } from '../shared/aws-sigv4.js';
import type { CallTarget } from '../types.js';

const SERVICE = 'bedrock';

export function region(target: CallTarget): string {
  const configured = target.params.region?.trim();
  if (configured) return configured;
  // A custom endpoint still needs a scope to sign with; us-east-1 is what the AWS CLI assumes.
  if (target.baseUrl) return 'us-east-1';
  throw new Error('Bedrock needs params.region (for example us-east-1)');
}

export function runtimeBase(target: CallTarget): string {
  return target.baseUrl || `https://bedrock-runtime.${region(target)}.amazonaws.com`;
}

export function controlPlaneBase(target: CallTarget): string {
  return target.baseUrl || `https://bedrock.${region(target)}.amazonaws.com`;
}

/** Model ids and ARNs go in the path percent-encoded (`:` → %3A, `/` → %2F); the signer encodes them again. */
export function modelUrl(target: CallTarget, operation: 'converse' | 'converse-stream'): string {
  return `${runtimeBase(target)}/model/${uriEncode(target.model)}/${operation}`;
}

function credentials(target: CallTarget): AwsCredentials | null {
  const accessKeyId = target.secrets.accessKeyId?.reveal().trim();
  const secretAccessKey = target.secrets.secretAccessKey?.reveal().trim();
  if (!accessKeyId || !secretAccessKey) return null;
  const sessionToken = target.secrets.sessionToken?.reveal().trim();
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/**
 * SigV4 with the access key pair; without one, a Bedrock API key in `apiKey` goes as a
 * Bearer token (https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html).
 */
export function authHeaders(
  target: CallTarget,
  request: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; body?: string },
  now: Date,
): Record<string, string> {
  const pair = credentials(target);
  if (pair) return signRequest(request, { region: region(target), service: SERVICE, credentials: pair }, now);
  const apiKey = target.apiKey?.reveal().trim();
  if (apiKey) return { authorization: `Bearer ${apiKey}` };
  throw new Error('Bedrock needs accessKeyId and secretAccessKey (or a Bedrock API key)');
}
