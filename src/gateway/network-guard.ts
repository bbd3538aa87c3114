// The SSRF guard for organisation-supplied base URLs. Two layers, one policy:
// - admin time: `checkBaseUrl` (syntax, literal IPs in every spelling, DNS answers), so
//   an admin hears what to fix when storing a base URL;
// - connect time: `checkConnectHost` and `createGuardedLookup`, wired into the undici
//   connector by upstream-agent.ts, so a name that later resolves elsewhere (DNS
//   rebinding, a changed record) is still refused, on every address it resolves to.
// Link-local, cloud metadata, unspecified, multicast and reserved addresses are always
// refused; loopback and private ranges only when `blockPrivateNetworks` is set, because
// self-hosted Ollama and vLLM usually live there.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, isIPv4 } from 'node:net';

export interface NetworkPolicy {
  blockPrivateNetworks: boolean;
}

export type BaseUrlCheck =
  | { ok: true; /** Normalised, without a trailing slash. */ url: string }
  | { ok: false; /** A sentence saying what to fix; never echoes credentials. */ reason: string };

export type AddressCheck = { ok: true } | { ok: false; reason: string };

/** The `dns.lookup` shape that `net.connect({ lookup })` calls; `dns.lookup` itself fits. */
export type LookupFn = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * Thrown (through the connect callback, so undici rejects the request with it) when the
 * gateway refuses to open a connection. `hostname` is what was asked for, `address` the
 * refused IP (null when the name itself is refused).
 */
export class BlockedAddressError extends Error {
  readonly code = 'UPSTREAM_ADDRESS_BLOCKED' as const;
  readonly hostname: string;
  readonly address: string | null;

  constructor(message: string, hostname: string, address: string | null = null) {
    super(message);
    this.name = 'BlockedAddressError';
    this.hostname = hostname;
    this.address = address;
  }
}

export const MAX_BASE_URL_LENGTH = 2048;

// ---------------------------------------------------------------------------------
// Address classification

/** `invalid`: not an IP address at all (a broken resolver answer); always refused. */
type Severity = 'always' | 'private' | 'invalid';

interface Verdict {
  severity: Severity;
  /** Completes "X is …". */
  label: string;
}

interface Ipv4Rule extends Verdict {
  base: number;
  bits: number;
}

function ipv4ToNumber(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function ipv4Rule(cidr: string, severity: Severity, label: string): Ipv4Rule {
  const [base, bits] = cidr.split('/');
  return { base: ipv4ToNumber(base), bits: Number(bits), severity, label };
}

function inIpv4Range(ip: number, rule: Ipv4Rule): boolean {
  const mask = rule.bits === 0 ? 0 : (~0 << (32 - rule.bits)) >>> 0;
  return ((ip & mask) >>> 0) === rule.base;
}

// First match wins: the single cloud addresses sit inside wider ranges (100.100.100.200
// is inside CGNAT) and must win over them.
const IPV4_RULES: readonly Ipv4Rule[] = [
  ipv4Rule('100.100.100.200/32', 'always', 'the Alibaba Cloud metadata service'),
  ipv4Rule('192.0.0.192/32', 'always', 'the Oracle Cloud Classic metadata service'),
  ipv4Rule('168.63.129.16/32', 'always', 'the Azure platform (WireServer) address'),
  ipv4Rule('169.254.0.0/16', 'always', 'a link-local address (169.254.0.0/16, where cloud metadata services such as 169.254.169.254 live)'),
  ipv4Rule('0.0.0.0/8', 'always', 'an unspecified address (0.0.0.0/8, which reaches the gateway host itself)'),
  ipv4Rule('224.0.0.0/4', 'always', 'a multicast address (224.0.0.0/4)'),
  ipv4Rule('240.0.0.0/4', 'always', 'a reserved or broadcast address (240.0.0.0/4)'),
  ipv4Rule('127.0.0.0/8', 'private', 'a loopback address (127.0.0.0/8)'),
  ipv4Rule('10.0.0.0/8', 'private', 'a private network address (10.0.0.0/8)'),
  ipv4Rule('172.16.0.0/12', 'private', 'a private network address (172.16.0.0/12)'),
  ipv4Rule('192.168.0.0/16', 'private', 'a private network address (192.168.0.0/16)'),
  ipv4Rule('100.64.0.0/10', 'private', 'a carrier-grade NAT address (100.64.0.0/10)'),
];

function classifyIpv4(text: string): Verdict | null {
  const ip = ipv4ToNumber(text);
  return IPV4_RULES.find((rule) => inIpv4Range(ip, rule)) ?? null;
}

/** Eight 16-bit groups; `text` has passed net.isIPv6 and carries no zone id. */
function parseIpv6(text: string): number[] {
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const toGroups = (parts: string[]) =>
    parts.flatMap((part) => {
      if (!part.includes('.')) return [parseInt(part, 16)];
      const v4 = ipv4ToNumber(part);
      return [v4 >>> 16, v4 & 0xffff];
    });
  const gap = text.indexOf('::');
  const head = toGroups(split(gap === -1 ? text : text.slice(0, gap)));
  const tail = gap === -1 ? [] : toGroups(split(text.slice(gap + 2)));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function groupsToIpv4(high: number, low: number): string {
  return [high >>> 8, high & 0xff, low >>> 8, low & 0xff].join('.');
}

function hasPrefix(groups: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((groups[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

const isZero = (groups: number[], from: number, to: number) => groups.slice(from, to).every((g) => g === 0);

/**
 * IPv6 forms that carry an IPv4 address a packet may end up at: mapped, compatible,
 * SIIT-translated, NAT64 (well-known and local-use), 6to4 and Teredo.
 */
function embeddedIpv4(groups: number[]): { form: string; addresses: string[] } | null {
  const last32 = groupsToIpv4(groups[6], groups[7]);
  if (isZero(groups, 0, 5) && groups[5] === 0xffff) return { form: 'IPv4-mapped IPv6', addresses: [last32] };
  if (isZero(groups, 0, 4) && groups[4] === 0xffff && groups[5] === 0) return { form: 'IPv4-translated IPv6', addresses: [last32] };
  if (isZero(groups, 0, 6)) return { form: 'IPv4-compatible IPv6', addresses: [last32] };
  if (hasPrefix(groups, [0x64, 0xff9b, 0, 0, 0, 0], 96)) return { form: 'NAT64 IPv6', addresses: [last32] };
  if (hasPrefix(groups, [0x64, 0xff9b, 1], 48)) return { form: 'local NAT64 IPv6', addresses: [last32] };
  if (groups[0] === 0x2002) return { form: '6to4 IPv6', addresses: [groupsToIpv4(groups[1], groups[2])] };
  if (groups[0] === 0x2001 && groups[1] === 0) {
    const client = groupsToIpv4(groups[6] ^ 0xffff, groups[7] ^ 0xffff);
    return { form: 'Teredo IPv6', addresses: [groupsToIpv4(groups[2], groups[3]), client] };
  }
  return null;
}

function classifyIpv6(text: string): Verdict | null {
  const groups = parseIpv6(text);
  if (isZero(groups, 0, 8)) return { severity: 'always', label: 'the unspecified address (::, which reaches the gateway host itself)' };
  if (isZero(groups, 0, 7) && groups[7] === 1) return { severity: 'private', label: 'the loopback address (::1)' };
  const embedded = embeddedIpv4(groups);
  if (embedded) {
    for (const address of embedded.addresses) {
      const verdict = classifyIpv4(address);
      if (verdict) return { severity: verdict.severity, label: `${verdict.label.replace(/ \(.*\)$/, '')} written in ${embedded.form} form (${address})` };
    }
    return null;
  }
  if (hasPrefix(groups, [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], 128)) return { severity: 'always', label: 'the AWS metadata service (IPv6)' };
  if (hasPrefix(groups, [0xfe80], 10)) return { severity: 'always', label: 'a link-local address (fe80::/10)' };
  if (hasPrefix(groups, [0xff00], 8)) return { severity: 'always', label: 'a multicast address (ff00::/8)' };
  if (hasPrefix(groups, [0xfec0], 10)) return { severity: 'private', label: 'a site-local address (fec0::/10)' };
  if (hasPrefix(groups, [0xfc00], 7)) return { severity: 'private', label: 'a unique local address (fc00::/7)' };
  return null;
}

/**
 * The canonical IP for a host that is an IP literal in any spelling (brackets, zone id,
 * decimal, hex, octal, short IPv4), or null for a name. Alternate IPv4 spellings go
 * through the WHATWG host parser, the same one undici uses for origins.
 */
export function ipLiteral(host: string): { address: string; family: 4 | 6 } | null {
  let text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  text = text.replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4 || family === 6) return { address: text.toLowerCase(), family };
  if (!/^[0-9a-fx.]+$/i.test(text)) return null;
  try {
    const parsed = new URL(`http://${text}/`).hostname;
    return isIPv4(parsed) ? { address: parsed, family: 4 } : null;
  } catch {
    return null;
  }
}

function classifyAddress(address: string): Verdict | null {
  const literal = ipLiteral(address);
  if (!literal) return { severity: 'invalid', label: 'not an IP address' };
  return literal.family === 4 ? classifyIpv4(literal.address) : classifyIpv6(literal.address);
}

const ALWAYS_TAIL = 'the gateway never connects to link-local, cloud metadata or unspecified addresses. Use the address of the provider itself.';
const PRIVATE_TAIL =
  'and this gateway refuses loopback and private networks (UPSTREAM_BLOCK_PRIVATE_NETWORKS=true). Use a public address, or ask the operator to allow private networks for self-hosted models.';

function refusal(subject: string, verdict: Verdict): string {
  if (verdict.severity === 'private') return `${subject} is ${verdict.label}, ${PRIVATE_TAIL}`;
  if (verdict.severity === 'invalid') return `${subject} is ${verdict.label}; the gateway connects to IP addresses only.`;
  return `${subject} is ${verdict.label}; ${ALWAYS_TAIL}`;
}

function refuses(verdict: Verdict | null, policy: NetworkPolicy): verdict is Verdict {
  return verdict !== null && (verdict.severity !== 'private' || policy.blockPrivateNetworks);
}

/**
 * Whether the gateway may connect to `address`. The address's own form decides its
 * family (`family` is only a hint), so a resolver that mislabels an answer gains nothing;
 * anything that is not an IP address is refused.
 */
export function isAddressAllowed(address: string, family: 4 | 6, policy: NetworkPolicy): AddressCheck {
  void family;
  const verdict = classifyAddress(address);
  if (!refuses(verdict, policy)) return { ok: true };
  return { ok: false, reason: refusal(printable(address), verdict) };
}

// ---------------------------------------------------------------------------------
// Host names

// Names that reach a metadata service by themselves (search domains, /etc/hosts on the
// cloud image), whatever public DNS says about them.
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

function normaliseName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

function classifyName(hostname: string): Verdict | null {
  const name = normaliseName(hostname);
  if (METADATA_NAMES.has(name)) return { severity: 'always', label: 'a cloud metadata service name' };
  if (name === 'localhost' || name.endsWith('.localhost')) return { severity: 'private', label: 'a loopback name' };
  return null;
}

/**
 * The connect-time check of the host itself, before any DNS lookup: IP literals in any
 * spelling are judged as addresses (Node's net.connect skips the lookup for them), names
 * against the metadata and loopback names. Resolved addresses are judged by
 * `createGuardedLookup`.
 */
export function checkConnectHost(hostname: string, policy: NetworkPolicy): { ok: true } | { ok: false; error: BlockedAddressError } {
  const literal = ipLiteral(hostname);
  const verdict = literal ? classifyAddress(literal.address) : classifyName(hostname);
  if (!refuses(verdict, policy)) return { ok: true };
  const subject = `Refused to connect to ${printable(hostname)}: it`;
  return { ok: false, error: new BlockedAddressError(refusal(subject, verdict), hostname, literal?.address ?? null) };
}

/**
 * Wraps a resolver so that an answer containing any refused address fails the lookup
 * with a BlockedAddressError; net.connect then connects to none of them. The addresses
 * judged are exactly the ones net.connect will use, so there is no window for DNS
 * rebinding between the check and the connection.
 */
export function createGuardedLookup(policy: NetworkPolicy, lookup: LookupFn = dnsLookup as LookupFn): LookupFn {
  return (hostname, options, callback) => {
    const nameVerdict = classifyName(hostname);
    if (refuses(nameVerdict, policy)) {
      const error = new BlockedAddressError(refusal(`Refused to connect to ${printable(hostname)}: it`, nameVerdict), hostname);
      process.nextTick(callback, error, options.all ? [] : '');
      return;
    }
    lookup(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      const answers = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      for (const answer of answers) {
        const verdict = classifyAddress(answer.address);
        if (refuses(verdict, policy)) {
          const subject = `Refused to connect to ${printable(hostname)}: it resolves to ${printable(answer.address)}, which`;
          callback(new BlockedAddressError(refusal(subject, verdict), hostname, answer.address), options.all ? [] : '');
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

// ---------------------------------------------------------------------------------
// Base URLs

function fail(reason: string): BaseUrlCheck {
  return { ok: false, reason };
}

/** Hosts and addresses go into messages; keep them short and free of control characters. */
function printable(text: string): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

/**
 * Everything that can be judged without DNS: length, characters, scheme, credentials,
 * query and fragment, and a host that is a refused name or an IP literal in any form.
 */
export function checkBaseUrlSyntax(raw: string, policy: NetworkPolicy): BaseUrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return fail('The base URL is empty; give the provider endpoint, such as https://api.example.com/v1.');
  if (raw.length > MAX_BASE_URL_LENGTH) return fail(`The base URL is ${raw.length} characters long; the limit is ${MAX_BASE_URL_LENGTH}.`);
  if (/[\r\n]/.test(raw)) return fail('The base URL contains a line break; paste it again as a single line.');
  if (/[\x00-\x1f\x7f-\x9f]/.test(raw)) return fail('The base URL contains control characters; type it again without them.');
  if (/\s/.test(raw)) return fail('The base URL contains spaces; remove them (leading and trailing ones too).');
  if (raw.includes('\\')) return fail('The base URL contains a backslash; use forward slashes only.');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('The base URL is not a valid absolute URL; it should look like https://api.example.com/v1.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail(`The base URL uses the ${printable(url.protocol.slice(0, -1))} scheme; only http and https are allowed.`);
  }
  if (url.username || url.password) {
    return fail('The base URL contains credentials (user:password@); remove them and put the key in apiKey.');
  }
  if (url.search) return fail('The base URL contains a query string (?…); give the endpoint without it.');
  if (url.hash) return fail('The base URL contains a fragment (#…); give the endpoint without it.');
  if (url.port === '0') return fail('The base URL uses port 0; give the port the provider listens on.');

  const literal = ipLiteral(url.hostname);
  const verdict = literal ? classifyAddress(literal.address) : classifyName(url.hostname);
  if (refuses(verdict, policy)) return fail(refusal(`The base URL's host ${printable(url.hostname)}`, verdict));

  return { ok: true, url: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}` };
}

function resolveAll(lookup: LookupFn, hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (err, address, family) => {
      if (err) reject(err);
      else resolve(Array.isArray(address) ? address : [{ address, family: family ?? 0 }]);
    });
  });
}

/**
 * `checkBaseUrlSyntax` plus the DNS answers for a host name, every one of which must be
 * allowed. A name that does not resolve is refused too: it is nearly always a typo, and
 * the connect-time guard judges later answers anyway.
 */
export async function checkBaseUrl(raw: string, policy: NetworkPolicy, lookup: LookupFn = dnsLookup as LookupFn): Promise<BaseUrlCheck> {
  const syntax = checkBaseUrlSyntax(raw, policy);
  if (!syntax.ok) return syntax;
  const hostname = new URL(syntax.url).hostname;
  if (ipLiteral(hostname)) return syntax;

  let answers: LookupAddress[];
  try {
    answers = await resolveAll(lookup, hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      return fail(`The base URL's host ${printable(hostname)} does not resolve (${code}); check its spelling, and that it is known to the gateway's DNS.`);
    }
    return fail(`The base URL's host ${printable(hostname)} could not be resolved right now${code ? ` (${printable(code)})` : ''}; try again, and check the gateway's DNS.`);
  }
  if (answers.length === 0) return fail(`The base URL's host ${printable(hostname)} resolves to no address; check its DNS records.`);

  for (const answer of answers) {
    const verdict = classifyAddress(answer.address);
    if (refuses(verdict, policy)) {
      return fail(refusal(`The base URL's host ${printable(hostname)} resolves to ${printable(answer.address)}, which`, verdict));
    }
  }
  return syntax;
}
