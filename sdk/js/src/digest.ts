/**
 * Salted record digests, byte-identical to the Rust tool `healthchain-digest` (tools/digest).
 *
 * A record's digest is `blake2-256(salt || body)`, where `body` is
 *
 * - for JSON (a FHIR resource): its RFC 8785 (JSON Canonicalization Scheme) form, exactly as
 *   the Rust tool writes it with `serde_json` + `serde_json_canonicalizer`, so key order and
 *   whitespace never change the digest;
 * - for any other file (a PDF, an image, a DICOM file): the bytes as they are.
 *
 * The Rust tool chooses by file name: `*.json` (any case) is JSON, everything else is bytes
 * ({@link contentOf}, {@link fileDigest}). Here the choice follows the input's type unless you
 * name it ({@link recordDigest}'s `content`).
 *
 * This module is browser-safe: it uses only `@polkadot/util-crypto`'s blake2, `TextEncoder`,
 * `TextDecoder` and `crypto.getRandomValues` (no Node APIs, no `@polkadot/api`). It is also the
 * package's `@healthchain/sdk/digest` entry point.
 *
 * @example
 * ```ts
 * import { randomSalt, recordDigest } from '@healthchain/sdk/digest';
 * const salt = randomSalt();                       // keep it with the record
 * const digest = recordDigest(patientResource, salt); // anchor it with records.anchor
 * ```
 *
 * @module
 */

import { blake2AsU8a } from '@polkadot/util-crypto/blake2';

/** `0x`-prefixed lowercase hex, as the Rust tool prints it. */
export type HexString = `0x${string}`;

/**
 * The shortest salt accepted, in bytes: 16 bytes (128 bits) keep digests of guessable records
 * (a short FHIR resource, a yes/no lab result) private. The Rust tool's `MIN_SALT_LEN`.
 */
export const MIN_SALT_LEN = 16;

/**
 * serde_json's nesting limit: a document whose arrays and objects nest 128 deep is refused
 * ("recursion limit exceeded"), so the deepest accepted nesting is 127.
 */
export const MAX_JSON_DEPTH = 127;

/**
 * How a record's content is turned into the bytes that are hashed (the Rust `Content` enum):
 * `'json'` is canonicalized with RFC 8785 first, `'raw'` is hashed as it is.
 */
export type Content = 'json' | 'raw';

/**
 * What went wrong, as the Rust tool's `Error` enum names it:
 *
 * - `BadSalt`: the salt is not hex or shorter than {@link MIN_SALT_LEN} bytes;
 * - `BadHex32`: a value that must be 32 bytes (a digest, a root, a Merkle leaf) is not;
 * - `BadJson`: the input is not JSON the Rust tool accepts (syntax, a number beyond the range
 *   of a double, a lone UTF-16 surrogate, nesting deeper than {@link MAX_JSON_DEPTH}, a value
 *   JSON cannot hold such as `NaN` or a cycle);
 * - `BadLeafIndex` (this SDK only): a Merkle leaf index outside the batch.
 */
export type DigestErrorKind = 'BadSalt' | 'BadHex32' | 'BadJson' | 'BadLeafIndex';

/**
 * The error every function of this module (and of the Merkle module) throws: `kind` names the
 * case (see {@link DigestErrorKind}), `message` is a sentence for people.
 */
export class DigestError extends Error {
  /** Which check failed. */
  readonly kind: DigestErrorKind;

  /**
   * @param kind - which check failed
   * @param message - a sentence for people
   */
  constructor(kind: DigestErrorKind, message: string) {
    super(message);
    this.name = 'DigestError';
    this.kind = kind;
  }
}

const encoder = new TextEncoder();

/** `0x`-prefixed lowercase hex of `bytes` (the Rust `to_hex`). */
export function toHex(bytes: Uint8Array): HexString {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s as HexString;
}

/**
 * Decode hex like the Rust tool (`hex::decode` after stripping every leading `0x`): upper or
 * lower case digits, an even count. Returns a sentence describing the problem instead of
 * throwing, for the callers to wrap in their own error kind.
 */
function decodeHex(text: string): Uint8Array | string {
  let s = text;
  while (s.startsWith('0x')) s = s.slice(2);
  if (s.length % 2 !== 0) return 'odd number of hex digits';
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < s.length; i += 2) {
    const hi = hexValue(s.charCodeAt(i));
    const lo = hexValue(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      return `invalid character ${JSON.stringify(s[at])} at position ${at}`;
    }
    out[i / 2] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * A salt as bytes: hex (with or without `0x`, as the Rust `parse_salt` takes it) or bytes,
 * at least {@link MIN_SALT_LEN} bytes long.
 *
 * @throws {@link DigestError} `BadSalt` when it is not hex or too short.
 */
export function parseSalt(salt: string | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof salt === 'string') {
    const decoded = decodeHex(salt);
    if (typeof decoded === 'string') {
      throw new DigestError('BadSalt', `The salt is not hex: ${decoded}.`);
    }
    bytes = decoded;
  } else if (salt instanceof Uint8Array) {
    bytes = salt;
  } else {
    throw new DigestError('BadSalt', 'The salt must be hex text or a Uint8Array.');
  }
  if (bytes.length < MIN_SALT_LEN) {
    throw new DigestError(
      'BadSalt',
      `The salt is ${bytes.length} bytes; use at least ${MIN_SALT_LEN} random bytes (randomSalt()).`,
    );
  }
  return bytes;
}

/**
 * A 32-byte value (record id, digest, Merkle root or leaf) from hex (with or without `0x`) or
 * bytes, as the Rust `parse_hex32`.
 *
 * @throws {@link DigestError} `BadHex32` when it is not hex or not 32 bytes.
 */
export function parseHex32(value: string | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    const decoded = decodeHex(value);
    if (typeof decoded === 'string') {
      throw new DigestError('BadHex32', `${value} is not a 32-byte hex value: ${decoded}.`);
    }
    bytes = decoded;
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw new DigestError('BadHex32', 'A 32-byte value must be hex text or a Uint8Array.');
  }
  if (bytes.length !== 32) {
    const shown = typeof value === 'string' ? value : toHex(bytes);
    throw new DigestError('BadHex32', `${shown} is ${bytes.length} bytes, not 32.`);
  }
  return bytes;
}

/** blake2-256 of `bytes` (the runtime's and the Rust tool's hash). */
export function blake2_256(bytes: Uint8Array): Uint8Array {
  return blake2AsU8a(bytes, 256);
}

// ---------------------------------------------------------------------------------------------
// RFC 8785 canonicalization, as serde_json + serde_json_canonicalizer 0.4 do it.
// ---------------------------------------------------------------------------------------------

/** A lone (unpaired) UTF-16 surrogate: serde_json refuses them, so JSON holding one is refused. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badJson(message: string): DigestError {
  return new DigestError('BadJson', `Not valid JSON: ${message}.`);
}

function writeString(s: string, where: string): string {
  if (LONE_SURROGATE.test(s)) {
    throw badJson(`${where} holds a lone UTF-16 surrogate, which UTF-8 JSON cannot carry`);
  }
  // For well-formed strings JSON.stringify escapes exactly what serde_json does: `"`, `\`,
  // \b \t \n \f \r, and the other C0 controls as lowercase \u00xx; all else is written as is.
  return JSON.stringify(s);
}

/**
 * ECMAScript Number-to-String (RFC 8785 section 3.2.2.3); serde_json_canonicalizer formats
 * every number (integers too, after `as f64`) with ryu-js, which implements the same algorithm.
 */
function writeNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw badJson(`the number ${String(n)} is out of range (JSON has no NaN or Infinity)`);
  }
  return String(n); // -0 -> "0", 1e21 -> "1e+21", 5e-324 -> "5e-324"
}

/**
 * Canonical text of a JavaScript value, following JSON.stringify's rules for what a value is
 * (toJSON, wrapper objects, undefined/function/symbol members omitted from objects and written
 * as null in arrays) and the Rust tool's rules for what JSON may hold.
 */
function writeValue(
  key: string,
  input: unknown,
  depth: number,
  stack: object[],
): string | undefined {
  let value = input;
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();

  switch (typeof value) {
    case 'string':
      return writeString(value, 'a string');
    case 'number':
      return writeNumber(value);
    case 'bigint':
      // The Rust tool reads big integers as u64/i64 (or f64) and writes them `as f64`.
      return writeNumber(Number(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';

  const obj = value as object;
  if (depth >= MAX_JSON_DEPTH) {
    throw badJson(`arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels (recursion limit exceeded)`);
  }
  if (stack.includes(obj)) throw badJson('the value refers to itself (a cycle)');
  stack.push(obj);
  let text: string;
  if (Array.isArray(obj)) {
    const parts: string[] = [];
    for (let i = 0; i < obj.length; i++) {
      parts.push(writeValue(String(i), obj[i], depth + 1, stack) ?? 'null');
    }
    text = `[${parts.join(',')}]`;
  } else {
    // Sorted by UTF-16 code units (RFC 8785 section 3.2.3), JavaScript's default string order.
    const keys = Object.keys(obj).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const member = writeValue(k, (obj as Record<string, unknown>)[k], depth + 1, stack);
      if (member !== undefined) parts.push(`${writeString(k, 'a key')}:${member}`);
    }
    text = `{${parts.join(',')}}`;
  }
  stack.pop();
  return text;
}

/**
 * Parse JSON text as the Rust tool does (`serde_json::from_slice` into a `Value`): strict JSON,
 * UTF-8 without a byte-order mark, numbers within the range of a double, no lone surrogates.
 */
function parseJsonText(input: string | Uint8Array): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      // fatal: invalid UTF-8 is an error; ignoreBOM: a BOM stays in the text and fails to parse,
      // as it does for serde_json.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw badJson('the bytes are not UTF-8');
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badJson(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The RFC 8785 canonical form of a JSON document, exactly as the Rust tool's `canonical_json`
 * writes it (serde_json + serde_json_canonicalizer): members sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript form (`1E2` -> `100`, `-0` -> `0`, `1e21` -> `1e+21`;
 * integers beyond 2^53 are rounded to the nearest double, as the Rust tool does), strings with
 * only `"`, `\` and control characters escaped.
 *
 * @param json - JSON text (a string, or its UTF-8 bytes as a Uint8Array), or any other
 *   JavaScript value, taken as JSON.stringify would take it (a plain string is JSON text; use
 *   {@link canonicalizeValue} to canonicalize a string value).
 * @returns the canonical JSON text
 * @throws {@link DigestError} `BadJson` for input the Rust tool refuses: malformed JSON, a
 *   number beyond the range of a double (`1e400`), a lone UTF-16 surrogate (`"\ud800"`),
 *   nesting deeper than {@link MAX_JSON_DEPTH}, NaN/Infinity, cycles, or no JSON value at all.
 */
export function canonicalize(json: unknown): string {
  if (typeof json === 'string' || json instanceof Uint8Array) {
    return canonicalizeValue(parseJsonText(json));
  }
  return canonicalizeValue(json);
}

/**
 * The RFC 8785 canonical form of a JavaScript value (a string is a JSON string value here, not
 * JSON text). Values follow JSON.stringify's rules (toJSON, omitted undefined members), except
 * that NaN/Infinity are refused instead of written as `null` and a bigint is written as the
 * nearest double, as the Rust tool writes big integers.
 *
 * @throws {@link DigestError} `BadJson` as {@link canonicalize}.
 */
export function canonicalizeValue(value: unknown): string {
  const text = writeValue('', value, 0, []);
  if (text === undefined) throw badJson(`a ${typeof value} is not a JSON value`);
  return text;
}

/**
 * The UTF-8 bytes of {@link canonicalize}`(json)`: what the record digest hashes after the salt.
 *
 * @throws {@link DigestError} `BadJson` as {@link canonicalize}.
 */
export function canonicalBytes(json: unknown): Uint8Array {
  return encoder.encode(canonicalize(json));
}

// ---------------------------------------------------------------------------------------------
// Digests
// ---------------------------------------------------------------------------------------------

/**
 * How the Rust tool treats a file, by its name: `*.json` (extension compared without regard to
 * ASCII case) is JSON, any other name (`.json` alone, `x.json.gz`, `scan.pdf`) is raw bytes.
 *
 * @param fileName - a file name or path (`/`-separated)
 */
export function contentOf(fileName: string): Content {
  const name = fileName.replace(/\/+$/, '').split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  // Rust's Path::extension: none without a dot, or when the only dot starts the name.
  if (dot <= 0 || name === '..') return 'raw';
  return name.slice(dot + 1).toLowerCase() === 'json' ? 'json' : 'raw';
}

/**
 * The salted digest of a record: `blake2-256(salt || body)`, byte-identical to
 * `healthchain-digest digest FILE --salt SALT`.
 *
 * Unless `content` says otherwise, a `Uint8Array` is hashed as raw bytes, while a string is
 * JSON text and any other value a JSON value, both canonicalized with RFC 8785 first. (The Rust
 * tool decides by file name instead: use {@link fileDigest} to follow that rule, or pass
 * `content: 'json'` for the bytes of a `.json` file.)
 *
 * @param input - the record: bytes, JSON text, or a JSON value such as a FHIR resource object
 * @param salt - the record's salt (hex or bytes, at least {@link MIN_SALT_LEN} bytes)
 * @param content - `'json'` to canonicalize first, `'raw'` to hash the bytes (a string's UTF-8)
 * @returns the digest to anchor (`records.anchor` / `records.amend`), `0x` + 64 hex digits
 * @throws {@link DigestError} `BadSalt` for a bad salt, `BadJson` for JSON the Rust tool refuses.
 */
export function recordDigest(input: unknown, salt: string | Uint8Array, content?: Content): HexString {
  const mode: Content = content ?? (input instanceof Uint8Array ? 'raw' : 'json');
  return mode === 'raw' ? recordDigestRaw(rawBytes(input), salt) : recordDigestJson(input, salt);
}

function rawBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input === 'string') return encoder.encode(input);
  throw new DigestError('BadJson', 'Raw content must be a Uint8Array or a string.');
}

/**
 * The salted digest of JSON: `blake2-256(salt || canonicalize(json))`, as the Rust tool digests
 * a `*.json` file.
 *
 * @param json - JSON text (string or UTF-8 bytes) or a JSON value
 * @param salt - the record's salt (hex or bytes, at least {@link MIN_SALT_LEN} bytes)
 * @throws {@link DigestError} `BadSalt` or `BadJson`.
 */
export function recordDigestJson(json: unknown, salt: string | Uint8Array): HexString {
  const s = parseSalt(salt);
  return digestOf(s, canonicalBytes(json));
}

/**
 * The salted digest of bytes as they are: `blake2-256(salt || bytes)`, as the Rust tool digests
 * any file not named `*.json`.
 *
 * @param bytes - the record's bytes
 * @param salt - the record's salt (hex or bytes, at least {@link MIN_SALT_LEN} bytes)
 * @throws {@link DigestError} `BadSalt`.
 */
export function recordDigestRaw(bytes: Uint8Array, salt: string | Uint8Array): HexString {
  const s = parseSalt(salt);
  return digestOf(s, bytes);
}

/**
 * The digest `healthchain-digest digest FILE --salt SALT` prints for a file named `fileName`
 * holding `bytes`: JSON when the name ends in `.json` ({@link contentOf}), raw bytes otherwise.
 *
 * @throws {@link DigestError} `BadSalt` or `BadJson` (a `.json` file that is not JSON).
 */
export function fileDigest(fileName: string, bytes: Uint8Array, salt: string | Uint8Array): HexString {
  return recordDigest(bytes, salt, contentOf(fileName));
}

function digestOf(salt: Uint8Array, body: Uint8Array): HexString {
  const input = new Uint8Array(salt.length + body.length);
  input.set(salt, 0);
  input.set(body, salt.length);
  return toHex(blake2_256(input));
}

/**
 * The salt of the record `name` in a batch: `blake2-256(batch salt || UTF-8 name)` (the Rust
 * `leaf_salt`), so every record of a batch has its own salt while the provider keeps one secret
 * per batch. `healthchain-digest batch` salts each file this way with its file name.
 *
 * @param batchSalt - the batch salt (hex or bytes, at least {@link MIN_SALT_LEN} bytes)
 * @param name - the record's name in the batch (the file name)
 * @returns the 32-byte leaf salt
 * @throws {@link DigestError} `BadSalt`.
 */
export function leafSalt(batchSalt: string | Uint8Array, name: string): Uint8Array {
  const s = parseSalt(batchSalt);
  const n = encoder.encode(name);
  const input = new Uint8Array(s.length + n.length);
  input.set(s, 0);
  input.set(n, s.length);
  return blake2_256(input);
}

/**
 * Fresh random salt from `crypto.getRandomValues` (browsers and Node 20), as hex: what
 * `healthchain-digest salt` prints. Keep it with the record: without it nobody, you included,
 * can recompute the digest.
 *
 * @param length - bytes of randomness, 32 unless given; at least {@link MIN_SALT_LEN}
 * @throws {@link DigestError} `BadSalt` for a length below {@link MIN_SALT_LEN}.
 */
export function randomSalt(length = 32): HexString {
  if (!Number.isInteger(length) || length < MIN_SALT_LEN) {
    throw new DigestError('BadSalt', `A salt needs at least ${MIN_SALT_LEN} random bytes, not ${length}.`);
  }
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return toHex(bytes);
}
