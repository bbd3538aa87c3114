import { describe, expect, it } from 'vitest';
import { classifyError } from './errors.js';

const typed = (type: string) => ({ 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });

describe('Bedrock errors', () => {
  it.each([
    [403, 'AccessDeniedException', 'auth'],
    [403, 'UnrecognizedClientException', 'auth'],
    [403, 'InvalidSignatureException', 'auth'],
    [403, 'ExpiredTokenException', 'auth'],
    [400, 'ValidationException', 'bad_request'],
    [404, 'ResourceNotFoundException', 'not_found'],
    [408, 'ModelTimeoutException', 'timeout'],
    [424, 'ModelErrorException', 'server'],
    [429, 'ModelNotReadyException', 'server'],
    [429, 'ThrottlingException', 'rate_limited'],
    [400, 'ServiceQuotaExceededException', 'quota_exhausted'],
    [500, 'InternalServerException', 'server'],
    [503, 'ServiceUnavailableException', 'server'],
  ])('%i %s → %s', (status, type, kind) => {
    const error = classifyError(status, typed(type), JSON.stringify({ message: 'something' }));
    expect(error.kind).toBe(kind);
    expect(error.providerCode).toBe(type);
    expect(error.status).toBe(status);
  });

  it('reads the type from the body __type when the header is missing', () => {
    const error = classifyError(403, {}, JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    expect(error).toMatchObject({ kind: 'auth', providerCode: 'UnrecognizedClientException' });
  });

  it('treats an invalid model identifier as not_found, a configuration error', () => {
    expect(classifyError(400, typed('ValidationException'), JSON.stringify({ message: 'The provided model identifier is invalid.' })).kind).toBe('not_found');
  });

  it('treats a daily token limit as quota_exhausted, not a transient throttle', () => {
    expect(classifyError(429, typed('ThrottlingException'), JSON.stringify({ message: 'Too many tokens per day, please wait before trying again.' })).kind).toBe('quota_exhausted');
  });

  it('keeps the retry delay of a throttle', () => {
    expect(classifyError(429, { ...typed('ThrottlingException'), 'retry-after': '3' }, '{"message":"Too many requests"}').retryAfterMs).toBe(3000);
  });

  it('falls back to the status, with 504 as a timeout', () => {
    expect(classifyError(504, {}, 'Gateway Timeout').kind).toBe('timeout');
    expect(classifyError(502, {}, '<html>bad gateway</html>').kind).toBe('server');
  });

  it('never echoes an access key id back', () => {
    const error = classifyError(403, typed('UnrecognizedClientException'), JSON.stringify({ message: 'The key AKIAIOSFODNN7EXAMPLE is not valid' }));
    expect(error.providerMessage).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
