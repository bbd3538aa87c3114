import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  MAX_BASE_URL_LENGTH,
  checkBaseUrl,
  checkBaseUrlSyntax,
  checkConnectHost,
  createGuardedLookup,
  isAddressAllowed,
  type LookupFn,
} from './network-guard.js';

const OPEN = { blockPrivateNetworks: false };
const STRICT = { blockPrivateNetworks: true };

/** A resolver answering from a table; records what it was asked. */
function fakeLookup(table: Record<string, LookupAddress[] | NodeJS.ErrnoException>) {
  const calls: Array<{ hostname: string; options: LookupOptions }> = [];
  const lookup: LookupFn = (hostname, options, callback) => {
    calls.push({ hostname, options });
    setImmediate(() => {
      const answer = table[hostname] ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      if (answer instanceof Error) callback(answer, options.all ? [] : '');
      else if (options.all) callback(null, answer);
      else callback(null, answer[0].address, answer[0].family);
    });
  };
  return { lookup, calls };
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

// Every spelling of a link-local / metadata / unspecified destination we know of.
const ALWAYS_REFUSED = [
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.170.2/v2/credentials',
  'http://2852039166/',
  'http://0xA9FEA9FE/',
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://0251.0376.0251.0376/',
  'http://169.254.43518/',
  'http://169.16689662/',
  'http://169.254.169.254./',
  'http://%31%36%39.254.169.254/',
  'http://①⑥⑨.②⑤④.①⑥⑨.②⑤④/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'http://[::a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[64:ff9b::169.254.169.254]/',
  'http://[64:ff9b:1::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::]/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://[fe80::1]/',
  'http://[febf:ffff::1]/',
  'http://100.100.100.200/latest/meta-data/',
  'http://[::ffff:100.100.100.200]/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://METADATA.GOOGLE.INTERNAL./',
  'http://metadata/',
  'http://metadata.goog/',
  'http://0.0.0.0:11434/',
  'http://0/',
  'http://0.1.2.3/',
  'http://[::]/',
  'http://[::ffff:0.0.0.0]/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[ff02::1]/',
];

const PRIVATE = [
  'http://127.0.0.1:11434',
  'http://127.1:8000/v1',
  'http://0x7f000001/',
  'http://localhost:11434',
  'http://ollama.localhost:11434',
  'http://10.0.0.5:8000/v1',
  'http://172.16.0.1/',
  'http://172.31.255.255/',
  'http://192.168.1.20:4000',
  'http://100.64.0.1/',
  'http://100.127.255.255/',
  'http://[::1]:11434',
  'http://[fc00::1]/',
  'http://[fd12:3456::1]/',
  'http://[fec0::1]/',
  'http://[::ffff:10.0.0.5]/',
  'http://[::ffff:7f00:1]/',
  'http://[64:ff9b::10.0.0.5]/',
];

describe('checkBaseUrlSyntax: link-local and metadata destinations', () => {
  it.each(ALWAYS_REFUSED)('refuses %s even when private networks are allowed', (raw) => {
    const result = checkBaseUrlSyntax(raw, OPEN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/never connects to link-local, cloud metadata or unspecified addresses/);
  });

  it('names the normalised address, whatever spelling the admin used', () => {
    const result = checkBaseUrlSyntax('http://2852039166/', OPEN);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('169.254.169.254 is a link-local address') });
  });

  it('says which IPv4 address hides inside an IPv6 form', () => {
    const result = checkBaseUrlSyntax('http://[64:ff9b::a9fe:a9fe]/', OPEN);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('NAT64 IPv6 form (169.254.169.254)') });
  });
});

describe('checkBaseUrlSyntax: private networks', () => {
  it.each(PRIVATE)('allows %s by default (self-hosted models)', (raw) => {
    expect(checkBaseUrlSyntax(raw, OPEN).ok).toBe(true);
  });

  it.each(PRIVATE)('refuses %s when UPSTREAM_BLOCK_PRIVATE_NETWORKS is on', (raw) => {
    const result = checkBaseUrlSyntax(raw, STRICT);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/UPSTREAM_BLOCK_PRIVATE_NETWORKS=true/);
  });

  it.each(['http://172.32.0.1/', 'http://172.15.255.255/', 'http://100.128.0.1/', 'http://169.253.255.255/', 'http://11.0.0.1/', 'http://[2001:4860::8888]/'])(
    'allows %s, just outside the private ranges, even when they are blocked',
    (raw) => {
      expect(checkBaseUrlSyntax(raw, STRICT).ok).toBe(true);
    },
  );
});

describe('checkBaseUrlSyntax: shape of the URL', () => {
  it.each([
    ['https://api.openai.com/v1/', 'https://api.openai.com/v1'],
    ['https://API.OpenAI.com/v1', 'https://api.openai.com/v1'],
    ['https://api.z.ai/api/paas/v4///', 'https://api.z.ai/api/paas/v4'],
    ['https://api.anthropic.com', 'https://api.anthropic.com'],
    ['https://api.anthropic.com:443/', 'https://api.anthropic.com'],
    ['http://gpu-box.internal:11434/', 'http://gpu-box.internal:11434'],
    ['http://[::1]:8000/v1/', 'http://[::1]:8000/v1'],
    ['https://bücher.example/v1', 'https://xn--bcher-kva.example/v1'],
  ])('accepts %s as %s', (raw, url) => {
    expect(checkBaseUrlSyntax(raw, OPEN)).toEqual({ ok: true, url });
  });

  it.each(['ftp://files.example.com/', 'file:///etc/passwd', 'gopher://127.0.0.1:6379/', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://api.example.com/'])(
    'refuses the scheme of %s',
    (raw) => {
      expect(checkBaseUrlSyntax(raw, OPEN)).toEqual({ ok: false, reason: expect.stringContaining('only http and https are allowed') });
    },
  );

  it.each(['https://user:s3cr3t-pass@api.example.com/v1', 'https://sk-live-123@api.example.com/v1', 'https://:s3cr3t-pass@api.example.com/'])(
    'refuses credentials in %s without repeating them',
    (raw) => {
      const result = checkBaseUrlSyntax(raw, OPEN);
      expect(result).toEqual({ ok: false, reason: expect.stringContaining('contains credentials') });
      if (!result.ok) expect(result.reason).not.toMatch(/s3cr3t|sk-live/);
    },
  );

  it.each([
    ['https://api.example.com/v1\r\nX-Injected: 1', /line break/],
    ['https://api.example.com/v1\n', /line break/],
    ['https://api.example.com/\u0000v1', /control characters/],
    ['https://api.example.com/\tv1', /control characters/],
    ['https://api.example.com/\u0085v1', /control characters/],
    ['https://api.example.com/my v1', /spaces/],
    [' https://api.example.com/v1', /spaces/],
    ['https://api.example.com/v1\u00a0', /spaces/],
    ['https://api.example.com/v1\u2028', /spaces/],
  ])('refuses %j', (raw, reason) => {
    const result = checkBaseUrlSyntax(raw, OPEN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses a URL longer than the limit, and accepts one at the limit', () => {
    const prefix = 'https://api.example.com/';
    const atLimit = prefix + 'a'.repeat(MAX_BASE_URL_LENGTH - prefix.length);
    expect(checkBaseUrlSyntax(atLimit, OPEN).ok).toBe(true);
    expect(checkBaseUrlSyntax(`${atLimit}a`, OPEN)).toEqual({ ok: false, reason: expect.stringContaining('the limit is 2048') });
  });

  it.each([
    ['', /empty/],
    ['api.example.com/v1', /not a valid absolute URL/],
    ['https://', /not a valid absolute URL/],
    ['https://api.example.com/v1?key=abc', /query string/],
    ['https://api.example.com/v1#frag', /fragment/],
    ['https://api.example.com:0/v1', /port 0/],
    ['https://api.example.com\\@169.254.169.254/', /backslash/],
  ])('refuses %j', (raw, reason) => {
    const result = checkBaseUrlSyntax(raw, OPEN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('isAddressAllowed', () => {
  it.each([
    ['169.254.169.254', 4],
    ['169.254.170.2', 4],
    ['100.100.100.200', 4],
    ['0.0.0.0', 4],
    ['::', 6],
    ['::ffff:169.254.169.254', 6],
    ['::ffff:a9fe:a9fe', 6],
    ['64:ff9b::a9fe:a9fe', 6],
    ['fd00:ec2::254', 6],
    ['FD00:0EC2:0000:0000:0000:0000:0000:0254', 6],
    ['fe80::1%eth0', 6],
    ['[fe80::abcd]', 6],
    ['2852039166', 4],
  ] as const)('refuses %s always', (address, family) => {
    expect(isAddressAllowed(address, family, OPEN).ok).toBe(false);
  });

  it('judges an address by its own form, not the family it is labelled with', () => {
    expect(isAddressAllowed('169.254.169.254', 6, OPEN).ok).toBe(false);
    expect(isAddressAllowed('::ffff:a9fe:a9fe', 4, OPEN).ok).toBe(false);
  });

  it('refuses what is not an IP address', () => {
    expect(isAddressAllowed('api.example.com', 4, OPEN)).toEqual({ ok: false, reason: expect.stringContaining('not an IP address') });
  });

  it.each([
    ['127.0.0.1', 4],
    ['10.1.2.3', 4],
    ['192.168.0.1', 4],
    ['100.64.10.10', 4],
    ['::1', 6],
    ['fd12::1', 6],
  ] as const)('allows private %s by default and refuses it with the flag', (address, family) => {
    expect(isAddressAllowed(address, family, OPEN)).toEqual({ ok: true });
    expect(isAddressAllowed(address, family, STRICT).ok).toBe(false);
  });

  it.each([
    ['8.8.8.8', 4],
    ['104.18.6.192', 4],
    ['2606:4700::6812:6c0', 6],
    ['::ffff:8.8.8.8', 6],
    ['64:ff9b::808:808', 6],
  ] as const)('allows public %s under either policy', (address, family) => {
    expect(isAddressAllowed(address, family, STRICT)).toEqual({ ok: true });
  });
});

describe('checkBaseUrl (admin time, with DNS)', () => {
  it('refuses a name that resolves to the metadata address', async () => {
    const { lookup } = fakeLookup({ 'evil.example': [v4('169.254.169.254')] });
    const result = await checkBaseUrl('https://evil.example/v1', OPEN, lookup);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining("host evil.example resolves to 169.254.169.254, which is a link-local address") });
  });

  it('asks for every address and refuses when any one of them is refused', async () => {
    const { lookup, calls } = fakeLookup({ 'mixed.example': [v4('104.18.6.192'), v6('::ffff:a9fe:a9fe')] });
    const result = await checkBaseUrl('https://mixed.example/v1', OPEN, lookup);
    expect(result.ok).toBe(false);
    expect(calls).toEqual([{ hostname: 'mixed.example', options: { all: true } }]);
  });

  it('allows a name resolving to a private address by default, refuses it with the flag', async () => {
    const { lookup } = fakeLookup({ 'ollama.lan': [v4('192.168.1.50')] });
    expect(await checkBaseUrl('http://ollama.lan:11434/', OPEN, lookup)).toEqual({ ok: true, url: 'http://ollama.lan:11434' });
    expect(await checkBaseUrl('http://ollama.lan:11434/', STRICT, lookup)).toEqual({
      ok: false,
      reason: expect.stringContaining('resolves to 192.168.1.50, which is a private network address'),
    });
  });

  it('accepts a name resolving to public addresses, normalised', async () => {
    const { lookup } = fakeLookup({ 'api.example.com': [v4('104.18.6.192'), v6('2606:4700::6812:6c0')] });
    expect(await checkBaseUrl('https://api.example.com/v1/', STRICT, lookup)).toEqual({ ok: true, url: 'https://api.example.com/v1' });
  });

  it('refuses a name that does not resolve, saying so', async () => {
    const { lookup } = fakeLookup({});
    expect(await checkBaseUrl('https://api.exmaple.com/v1', OPEN, lookup)).toEqual({
      ok: false,
      reason: expect.stringContaining('api.exmaple.com does not resolve (ENOTFOUND)'),
    });
  });

  it('refuses when DNS fails for now, asking to retry', async () => {
    const { lookup } = fakeLookup({ 'api.example.com': Object.assign(new Error('temporary'), { code: 'EAI_AGAIN' }) });
    expect(await checkBaseUrl('https://api.example.com/v1', OPEN, lookup)).toEqual({
      ok: false,
      reason: expect.stringContaining('could not be resolved right now (EAI_AGAIN); try again'),
    });
  });

  it('does not resolve IP literals, refused names or malformed URLs', async () => {
    const { lookup, calls } = fakeLookup({});
    expect(await checkBaseUrl('http://10.0.0.5:8000', OPEN, lookup)).toEqual({ ok: true, url: 'http://10.0.0.5:8000' });
    expect((await checkBaseUrl('http://[::ffff:a9fe:a9fe]/', OPEN, lookup)).ok).toBe(false);
    expect((await checkBaseUrl('http://metadata.google.internal/', OPEN, lookup)).ok).toBe(false);
    expect((await checkBaseUrl('https://u:p@api.example.com', OPEN, lookup)).ok).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('checkConnectHost (connect time, before DNS)', () => {
  it.each(['169.254.169.254', '::ffff:a9fe:a9fe', '[fd00:ec2::254]', '0.0.0.0', '2852039166', '0xa9fea9fe', 'metadata.google.internal', 'Metadata.'])(
    'refuses %s with a BlockedAddressError',
    (hostname) => {
      const result = checkConnectHost(hostname, OPEN);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(BlockedAddressError);
        expect(result.error.code).toBe('UPSTREAM_ADDRESS_BLOCKED');
        expect(result.error.hostname).toBe(hostname);
      }
    },
  );

  it('leaves ordinary names to the guarded lookup', () => {
    expect(checkConnectHost('api.openai.com', STRICT)).toEqual({ ok: true });
    expect(checkConnectHost('127.0.0.1', OPEN)).toEqual({ ok: true });
    expect(checkConnectHost('127.0.0.1', STRICT).ok).toBe(false);
    expect(checkConnectHost('localhost', STRICT).ok).toBe(false);
  });
});

describe('createGuardedLookup', () => {
  function resolveWith(lookup: LookupFn, hostname: string, options: LookupOptions) {
    return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) => {
      lookup(hostname, options, (err, address, family) => resolve({ err, address, family }));
    });
  }

  it('passes allowed answers through unchanged, in both lookup shapes', async () => {
    const { lookup } = fakeLookup({ 'api.example.com': [v4('104.18.6.192'), v4('104.18.7.192')] });
    const guarded = createGuardedLookup(STRICT, lookup);
    expect(await resolveWith(guarded, 'api.example.com', { all: true })).toEqual({
      err: null,
      address: [v4('104.18.6.192'), v4('104.18.7.192')],
      family: undefined,
    });
    expect(await resolveWith(guarded, 'api.example.com', {})).toEqual({ err: null, address: '104.18.6.192', family: 4 });
  });

  it.each([
    [[v4('169.254.169.254')]],
    [[v4('127.0.0.1'), v4('169.254.169.254')]],
    [[v6('::ffff:169.254.169.254')]],
    [[v6('fd00:ec2::254')]],
    [[{ address: '169.254.169.254', family: 6 }]],
  ])('fails the lookup when the answer is %j', async (answer) => {
    const { lookup } = fakeLookup({ 'rebind.example': answer });
    const { err, address } = await resolveWith(createGuardedLookup(OPEN, lookup), 'rebind.example', { all: true });
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err).toMatchObject({ code: 'UPSTREAM_ADDRESS_BLOCKED', hostname: 'rebind.example' });
    expect(address).toEqual([]);
  });

  it('fails a single-address lookup (autoSelectFamily off) on the one address net.connect would use', async () => {
    const { lookup } = fakeLookup({ 'rebind.example': [v4('169.254.169.254')] });
    const { err, address } = await resolveWith(createGuardedLookup(OPEN, lookup), 'rebind.example', { family: 4 });
    expect(err).toMatchObject({ code: 'UPSTREAM_ADDRESS_BLOCKED', address: '169.254.169.254' });
    expect(address).toBe('');
  });

  it('refuses metadata names without asking DNS', async () => {
    const { lookup, calls } = fakeLookup({ 'metadata.google.internal': [v4('8.8.8.8')] });
    const { err } = await resolveWith(createGuardedLookup(OPEN, lookup), 'metadata.google.internal', { all: true });
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(calls).toEqual([]);
  });

  it('passes resolver errors through', async () => {
    const { lookup } = fakeLookup({});
    const { err } = await resolveWith(createGuardedLookup(OPEN, lookup), 'nowhere.example', { all: true });
    expect(err?.code).toBe('ENOTFOUND');
  });
});
