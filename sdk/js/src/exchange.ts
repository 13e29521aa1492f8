// Signed organisation-to-organisation requests (to a Healthchain gateway's exchange API, or to
// the indexer): the fixed profile of RFC 9421 (HTTP Message Signatures) with an sr25519 chain
// key (services/httpsig is the reference; the signature base built here is byte-identical to its
// `signature_base`; services/httpsig/tests/fixtures/js-signed-request.json is a shared vector).
//
//   const headers = signRequest({
//     pair: dev.bob, audience: custodianAddress, genesisHash: api.genesisHash.toHex(),
//     method: 'GET', path: '/exchange/fhir/Observation/o1', query: `patient=${patient}`,
//     purpose: 'treatment',
//   });
//   await fetch(`${gateway}/exchange/fhir/Observation/o1?patient=${patient}`, { headers });
//
// The signer signs, with the key of a chain account (the organisation's own or a proxy of it):
//
//   "@method": GET
//   "@path": /exchange/fhir/Observation/o1
//   "@query": ?patient=5CiPP...
//   "content-digest": sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:
//   "healthchain-organisation": 5FHne...
//   "healthchain-audience": 5Grwv...
//   "healthchain-purpose": treatment
//   "@signature-params": ("@method" ... "healthchain-purpose");created=...;keyid="5FHne...";
//       nonce="...";alg="sr25519";tag="healthchain:0x<genesis>"      (one line)
//
// (lines joined by "\n", no trailing newline) and sends `Signature-Input: hc=<params>`,
// `Signature: hc=:<base64 of the 64-byte signature>:`, `Content-Digest` and the three
// `Healthchain-*` headers. Browser wallets sign `<Bytes>base</Bytes>`: the verifiers accept both.
// Browser-safe (no Node built-ins).

import { hexToU8a, isU8a, stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { base64Decode, base64Encode, decodeAddress, randomAsU8a, sha256AsU8a, sr25519Verify } from '@polkadot/util-crypto';

/** The signature label in `Signature-Input` and `Signature`. */
export const LABEL = 'hc';
/** The covered components, in this order (the profile accepts no other list). */
export const COMPONENTS =
  '("@method" "@path" "@query" "content-digest" "healthchain-organisation" "healthchain-audience" "healthchain-purpose")';
/** The algorithm name (an sr25519 signature over the base). */
export const ALG = 'sr25519';
/** How far (seconds) `created` may be from the verifier's clock by default. */
export const DEFAULT_SKEW = 60;

/** The request headers of the profile (lower case). */
export const HEADERS = {
  SIGNATURE_INPUT: 'signature-input',
  SIGNATURE: 'signature',
  CONTENT_DIGEST: 'content-digest',
  ORGANISATION: 'healthchain-organisation',
  AUDIENCE: 'healthchain-audience',
  PURPOSE: 'healthchain-purpose',
} as const;

/** The headers `signRequest` answers (lower-case names). */
export type SignedHeaders = Record<typeof HEADERS[keyof typeof HEADERS], string>;

/** A request body: bytes, a string (UTF-8), or none (empty). */
export type Body = Uint8Array | string | null | undefined;

const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a body: a Uint8Array (or Buffer) as is, a string UTF-8 encoded, none empty. */
function bodyBytes(body: Body): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return stringToU8a(body);
  if (isU8a(body)) return body;
  throw new Error('the body must be a Uint8Array or a string');
}

/** `Content-Digest` of a body (RFC 9530): `sha-256=:<base64 of SHA-256(body)>:`. */
export function contentDigest(body: Body): string {
  return `sha-256=:${base64Encode(sha256AsU8a(bodyBytes(body)))}:`;
}

/** The `tag` parameter that binds a signature to one chain: `healthchain:0x<genesis hash>`. */
export function chainTag(genesisHash: string): string {
  const hex = String(genesisHash).replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`the genesis hash must be 32 bytes of hex, got ${JSON.stringify(genesisHash)}`);
  }
  return `healthchain:0x${hex}`;
}

/** The parameters of a signature. */
export interface SignatureParams {
  /** Unix seconds. */
  created: number | string;
  /** The signer's address. */
  keyid: string;
  /** A fresh nonce (16 to 64 of A-Z a-z 0-9 - _). */
  nonce: string;
  /** {@link chainTag} of the chain. */
  tag: string;
}

/** The `@signature-params` value (also the `Signature-Input` member's value). */
export function signatureParams({ created, keyid, nonce, tag }: SignatureParams): string {
  return `${COMPONENTS};created=${created};keyid="${keyid}";nonce="${nonce}";alg="${ALG}";tag="${tag}"`;
}

/** The covered parts of a request. */
export interface CoveredParts {
  /** HTTP method (upper-cased in the base). */
  method: string;
  /** The path, without the query. */
  path: string;
  /** The query without its `?` (empty, null or undefined: no query). */
  query?: string | null;
  /** The `Content-Digest` header value. */
  contentDigest: string;
  /** `Healthchain-Organisation`. */
  organisation: string;
  /** `Healthchain-Audience`. */
  audience: string;
  /** `Healthchain-Purpose`. */
  purpose: string;
}

/**
 * The signature base (RFC 9421 section 2.5): one line per component, joined by "\n", no
 * trailing newline. `query` is the query without its `?` (empty, null or undefined: no query).
 */
export function signatureBase({ method, path, query, contentDigest: digest, organisation, audience, purpose }: CoveredParts, params: string): string {
  const q = query === undefined || query === null || query === '' ? '?' : `?${query}`;
  return [
    `"@method": ${String(method).toUpperCase()}`,
    `"@path": ${path}`,
    `"@query": ${q}`,
    `"content-digest": ${digest}`,
    `"healthchain-organisation": ${organisation}`,
    `"healthchain-audience": ${audience}`,
    `"healthchain-purpose": ${purpose}`,
    `"@signature-params": ${params}`,
  ].join('\n');
}

/** What a request to sign names (all but `organisation`, `query`, `body`, `created`, `nonce` required). */
export interface RequestToSign {
  /** The receiving organisation's account (the gateway's or indexer's audience). */
  audience: string;
  /** The chain's genesis hash (hex). */
  genesisHash: string;
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Query without its `?`. */
  query?: string | null;
  /** The body (default empty). */
  body?: Body;
  /** The declared purpose (`treatment`, `payment`, `operations`, `research`; the indexer takes any, e.g. `audit`). */
  purpose: string;
  /** The organisation the signer acts for (default the signer: give it when signing with a proxy key). */
  organisation?: string;
  /** Unix seconds (default now). */
  created?: number;
  /** Nonce (default 32 random hex digits). */
  nonce?: string;
}

function required(args: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    if (args[name] === undefined || args[name] === null || args[name] === '') {
      throw new Error(`${name} is required to sign a request`);
    }
  }
}

interface Prepared { organisation: string; digest: string; params: string; base: string }

/** The parts shared by both signers: the digest, the params and the base to sign. */
function prepare(address: string, {
  organisation, audience, genesisHash, method, path, query, body, purpose,
  created = Math.floor(Date.now() / 1000), nonce = u8aToHex(randomAsU8a(16)).slice(2),
}: RequestToSign): Prepared {
  required({ address, audience, genesisHash, method, path, purpose },
    ['address', 'audience', 'genesisHash', 'method', 'path', 'purpose']);
  const org = organisation ?? address;
  const digest = contentDigest(body);
  const params = signatureParams({ created, keyid: address, nonce, tag: chainTag(genesisHash) });
  const base = signatureBase({ method, path, query, contentDigest: digest, organisation: org, audience, purpose }, params);
  return { organisation: org, digest, params, base };
}

function headersOf({ organisation, digest, params }: Prepared, audience: string, purpose: string, signature: Uint8Array): SignedHeaders {
  if (signature.length !== 64) {
    throw new Error(`an sr25519 signature is 64 bytes, the signer returned ${signature.length}`);
  }
  return {
    [HEADERS.CONTENT_DIGEST]: digest,
    [HEADERS.ORGANISATION]: organisation,
    [HEADERS.AUDIENCE]: audience,
    [HEADERS.PURPOSE]: purpose,
    [HEADERS.SIGNATURE_INPUT]: `${LABEL}=${params}`,
    [HEADERS.SIGNATURE]: `${LABEL}=:${base64Encode(signature)}:`,
  } as SignedHeaders;
}

/** Something that signs bytes with an sr25519 key: a KeyringPair. */
export interface BytesSigner {
  /** The signer's address (the `keyid`). */
  address: string;
  /** Sign `message`; answers the 64-byte signature. */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * The headers of a signed request. `pair` is an sr25519 KeyringPair (or any object with
 * `.address` and `.sign(Uint8Array) -> Uint8Array(64)`); its address is the `keyid`.
 * `organisation` defaults to the signer (give the organisation's address when `pair` is a proxy
 * key of it), `created` to now (Unix seconds), `nonce` to 32 random hex digits, `body` to empty.
 * `query` is the request's query without its `?`.
 */
export function signRequest({ pair, ...args }: RequestToSign & { pair: BytesSigner }): SignedHeaders {
  if (!pair || typeof pair.sign !== 'function') throw new Error('pair must be a keyring pair that can sign');
  const p = prepare(pair.address, args);
  const signature = pair.sign(stringToU8a(p.base));
  return headersOf(p, args.audience, args.purpose, signature);
}

/** A browser extension's raw signer (`injector.signer.signRaw`, or an `ExtensionSigner`'s). */
export type SignRaw = (payload: { address: string; data: string; type: 'bytes' }) => Promise<{ signature: string }>;

/**
 * As `signRequest`, through a browser extension's `signRaw` (e.g. `injector.signer.signRaw`),
 * which signs `<Bytes>base</Bytes>` with the account `address`. Async.
 */
export async function signRequestWithExtension({ signRaw, address, ...args }: RequestToSign & { signRaw: SignRaw; address: string }): Promise<SignedHeaders> {
  if (typeof signRaw !== 'function') throw new Error("signRaw must be the extension signer's signRaw");
  const p = prepare(address, args);
  const { signature } = await signRaw({ address, data: u8aToHex(stringToU8a(p.base)), type: 'bytes' });
  let sig = hexToU8a(signature);
  // A MultiSignature-encoded answer (0x01 = Sr25519 ++ 64 bytes): keep the signature itself.
  if (sig.length === 65 && sig[0] === 1) sig = sig.subarray(1);
  return headersOf(p, args.audience, args.purpose, sig);
}

/** Request headers: a plain object (any case) or a `Headers`-like object with `get`. */
export type HeadersLike = Record<string, string | undefined> | { get(name: string): string | null };

/** A header from a plain object (any case) or a `Headers`-like object with `get`. */
function header(headers: HeadersLike | undefined, name: string): string {
  let value: string | null | undefined;
  if (headers && typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as { get(name: string): string | null }).get(name) ?? undefined;
  } else if (headers) {
    const h = headers as Record<string, string | undefined>;
    const key = Object.keys(h).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : h[key];
  }
  if (value === undefined || value === null) {
    throw new Error(`the request is not signed: header ${name} is missing (see docs/exchange.md for the signature scheme)`);
  }
  if (typeof value !== 'string' || !/^[\x20-\x7e\t]*$/.test(value)) {
    throw new Error(`header ${name} is malformed: not visible ASCII`);
  }
  return value;
}

function malformed(name: string, why: string): Error {
  return new Error(`header ${name} is malformed: ${why}`);
}

/** A 32-byte account id from an SS58 address (any prefix) or 0x-hex, as the verifiers parse it. */
function accountId(value: string | Uint8Array, name: string, what = ''): Uint8Array {
  let id: Uint8Array | null;
  try {
    id = decodeAddress(typeof value === 'string' ? value.trim() : value);
  } catch {
    id = null;
  }
  if (!id || id.length !== 32) throw malformed(name, `${what}not an account (${String(value)})`);
  return id;
}

/** The `;key=value` parameters after the component list, as the verifiers parse them. */
function parseParams(rest: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of rest.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw malformed(HEADERS.SIGNATURE_INPUT, 'a parameter has no value');
    const k = part.slice(0, eq);
    let v = part.slice(eq + 1);
    if (v.startsWith('"')) {
      if (v.length < 2 || !v.endsWith('"')) throw malformed(HEADERS.SIGNATURE_INPUT, 'an unterminated string');
      v = v.slice(1, -1);
      if (/["\\]/.test(v)) throw malformed(HEADERS.SIGNATURE_INPUT, 'quotes or backslashes inside a string');
    }
    out.push([k, v]);
  }
  if (!rest.startsWith(COMPONENTS) || rest[COMPONENTS.length] !== ';') {
    throw new Error(`Signature-Input must cover exactly ${COMPONENTS} under the label hc`);
  }
  return out;
}

/** What {@link verifyRequest} answers. */
export interface VerifiedRequest {
  /** The keyid (as sent). */
  signer: string;
  /** `Healthchain-Organisation` (as sent). */
  organisation: string;
  /** `Healthchain-Purpose`. */
  purpose: string;
  /** The nonce (the caller checks replays). */
  nonce: string;
  /** `created`, Unix seconds. */
  created: number;
}

/**
 * Verify a signed request as the gateway does (except the nonce's replay check, which needs the
 * server's memory). `audience` is the receiving organisation (address or public key),
 * `genesisHash` its chain's, `now` the Unix time in seconds. `query` is without its `?`.
 * Returns `{ signer, organisation, purpose, nonce, created }` (signer and organisation as sent)
 * or throws an Error with a sentence.
 */
export function verifyRequest({
  method, path, query, headers, body, genesisHash, audience,
  now = Math.floor(Date.now() / 1000), skew = DEFAULT_SKEW,
}: {
  method: string; path: string; query?: string | null; headers: HeadersLike; body?: Body;
  genesisHash: string; audience: string | Uint8Array; now?: number; skew?: number;
}): VerifiedRequest {
  const input = header(headers, HEADERS.SIGNATURE_INPUT);
  const sig = header(headers, HEADERS.SIGNATURE);
  const digest = header(headers, HEADERS.CONTENT_DIGEST);
  const organisation = header(headers, HEADERS.ORGANISATION);
  const to = header(headers, HEADERS.AUDIENCE);
  const purpose = header(headers, HEADERS.PURPOSE);

  const trimmed = input.trim();
  if (!trimmed.startsWith(`${LABEL}=`)) {
    throw new Error(`Signature-Input must cover exactly ${COMPONENTS} under the label hc`);
  }
  const params = trimmed.slice(LABEL.length + 1);
  const found: Record<string, string> = {};
  for (const [k, v] of parseParams(params)) {
    if (!['created', 'keyid', 'nonce', 'alg', 'tag'].includes(k)) {
      throw malformed(HEADERS.SIGNATURE_INPUT, `unknown parameter ${JSON.stringify(k)} (the profile has created, keyid, nonce, alg, tag)`);
    }
    if (k === 'created' && !/^[+-]?\d+$/.test(v)) {
      throw malformed(HEADERS.SIGNATURE_INPUT, 'created is not an integer');
    }
    if (k in found) throw malformed(HEADERS.SIGNATURE_INPUT, `parameter ${JSON.stringify(k)} given twice`);
    found[k] = v;
  }
  for (const name of ['created', 'keyid', 'nonce', 'alg', 'tag']) {
    if (!(name in found)) throw malformed(HEADERS.SIGNATURE_INPUT, `parameter ${name} is missing`);
  }
  const keyid = found.keyid as string;
  const nonce = found.nonce as string;
  const alg = found.alg as string;
  const tag = found.tag as string;
  const created = Number(found.created);
  if (alg !== ALG) throw new Error(`the signature algorithm must be sr25519, not ${JSON.stringify(alg)}`);
  if (tag !== chainTag(genesisHash)) throw new Error(`the signature is for another chain (tag ${JSON.stringify(tag)})`);
  if (!NONCE_RE.test(nonce)) {
    throw malformed(HEADERS.SIGNATURE_INPUT, 'the nonce must be 16 to 64 characters of A-Z a-z 0-9 - _');
  }
  const age = now - created;
  if (Math.abs(age) > skew) {
    throw new Error(`the signature was created at ${created} (Unix seconds), ${age} s away from this server's `
      + `clock; at most ${skew} s are accepted`);
  }
  let own: string;
  try {
    own = u8aToHex(accountId(audience, 'audience'));
  } catch {
    throw new Error(`the verifier's audience ${String(audience)} is not an account`);
  }
  const toAccount = accountId(to, HEADERS.AUDIENCE);
  if (u8aToHex(toAccount) !== own) {
    throw new Error(`the request is addressed to ${to}, not to this organisation`);
  }
  accountId(organisation, HEADERS.ORGANISATION);
  const signer = accountId(keyid, HEADERS.SIGNATURE_INPUT, 'keyid: ');
  if (digest !== contentDigest(body)) throw new Error('Content-Digest does not match the body');

  const s = sig.trim();
  if (!s.startsWith(`${LABEL}=:`) || !s.endsWith(':') || s.length < LABEL.length + 3) {
    throw malformed(HEADERS.SIGNATURE, 'expected hc=:<base64>:');
  }
  const b64 = s.slice(LABEL.length + 2, -1);
  const sigBytes = BASE64_RE.test(b64) && b64.length % 4 === 0 ? base64Decode(b64) : null;
  if (!sigBytes || sigBytes.length !== 64) throw malformed(HEADERS.SIGNATURE, 'not 64 bytes of base64');

  const base = signatureBase({ method, path, query, contentDigest: digest, organisation, audience: to, purpose }, params);
  const message = stringToU8a(base);
  if (!sr25519Verify(message, sigBytes, signer) && !sr25519Verify(u8aWrapBytes(message), sigBytes, signer)) {
    throw new Error(`the signature does not verify with the key ${keyid}`);
  }
  return { signer: keyid, organisation, purpose, nonce, created };
}
