// Clients of the off-chain services: the indexer's query API (signed GETs, services/indexer,
// docs/indexer.md) and a FHIR gateway (services/gateway, docs/gateway.md). Both use the global
// `fetch` (Node 20+, browsers). Errors are `ServiceError`s carrying the service's sentence (the
// indexer's `message`, the OperationOutcome's `diagnostics`) and the HTTP status.

import { signRequest, signRequestWithExtension, type SignedHeaders } from './exchange.js';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ExtensionSigner } from './signer.js';
import { isKeyringPair } from './signer.js';

/** A failed request to a service: `message` is the service's sentence, `status` the HTTP status (0: not reachable). */
export class ServiceError extends Error {
  /** The HTTP status, or 0 when the service did not answer. */
  readonly status: number;
  /** The service's error code (`invalid`, `login`, `forbidden`, `not-found`, the OperationOutcome's issue code, ...), if any. */
  readonly code: string | null;
  /** The parsed error body (JSON or OperationOutcome), if any. */
  readonly body: unknown;
  /** @param message the sentence; @param status HTTP status; @param code error code; @param body the answer */
  constructor(message: string, status: number, code: string | null = null, body: unknown = null) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** A FHIR resource (JSON object with `resourceType`, usually `id`). */
export interface FhirResource {
  /** The resource type (`Patient`, `Observation`, ...). */
  resourceType: string;
  /** The id. */
  id?: string;
  /** Everything else. */
  [key: string]: unknown;
}

/** A FHIR `OperationOutcome`. */
interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue?: { severity?: string; code?: string; diagnostics?: string }[];
}

/** The `fetch` a client uses (default the global one). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The sentence and code of an error answer (indexer JSON, OperationOutcome, or text). */
function errorOf(body: unknown, text: string, status: number): { message: string; code: string | null } {
  if (body && typeof body === 'object') {
    const b = body as OperationOutcome & { error?: string; message?: string };
    if (b.resourceType === 'OperationOutcome' && Array.isArray(b.issue) && b.issue.length) {
      const msg = b.issue.map((i) => i.diagnostics ?? i.code ?? '').filter(Boolean).join('; ');
      return { message: msg || `HTTP ${status}`, code: b.issue[0]?.code ?? null };
    }
    if (typeof b.message === 'string') return { message: b.message, code: typeof b.error === 'string' ? b.error : null };
  }
  return { message: text.trim() || `HTTP ${status}`, code: null };
}

/** Fetch and parse JSON (or text), throwing a {@link ServiceError} for non-2xx answers and failures. */
async function request(fetchFn: FetchLike, what: string, url: string, init: RequestInit = {}): Promise<{ body: unknown; text: string; response: Response }> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (e) {
    throw new ServiceError(`The ${what} at ${new URL(url).origin} is not reachable (${e instanceof Error ? e.message : String(e)}).`, 0);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const { message, code } = errorOf(body, text, response.status);
    throw new ServiceError(message, response.status, code, body ?? text);
  }
  return { body: body ?? text, text, response };
}

/** A query string from filters (undefined and null values left out), without `?`. */
function queryOf(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.append(k, String(v));
  return q.toString();
}

// ---- indexer ----

/** A page of an indexer list: `next` (absent on the last page) is the next page's `after`. */
export interface IndexerPage<T> {
  /** The items, in chain order. */
  items: T[];
  /** Pass as `after` for the following page. */
  next?: string;
}

/** Filters every indexer list accepts. */
export interface ListFilters {
  /** Page size, 1 to the indexer's maximum (1000). */
  limit?: number;
  /** The previous page's `next`. */
  after?: string;
  /** ISO-8601 time or date: from. */
  from?: string;
  /** ISO-8601 time or date: to (a plain date is the whole day). */
  to?: string;
}

/** An indexed access (`/patients/{patient}/accesses`). */
export interface IndexedAccess {
  block: number; eventIndex: number; extrinsicIndex: number | null; time: string;
  kind: 'logged' | 'disclosed'; patient: string; accessor: string; custodian: string | null;
  signer: string | null; recordId: string; scope: string; purpose: string;
  basis: 'consent' | 'break_glass' | 'none'; breakGlassId: number | null; denial: string | null;
  checkedAt: number | null;
}

/** An indexed consent change (`/patients/{patient}/consents`). */
export interface IndexedConsentEvent {
  block: number; eventIndex: number; extrinsicIndex: number | null; time: string; patient: string;
  party: string; action: string; scopes: string[] | null; purposes: string[] | null;
  expiresAt: number | null; consentDigest: string | null; by: string | null; byRole: string;
}

/** An indexed break-glass window. */
export interface IndexedBreakGlass {
  id: number; patient: string; provider: string; reason: string; openedBlock: number; openedAt: string;
  expiresAt: number; state: 'open' | 'closed'; closedBlock: number | null; closedAt: string | null;
  closeCause: string | null; review: 'pending' | 'reviewed' | string; reviewedBlock: number | null;
  reviewedAt: string | null; verdict: string | null; unjustifiedTotal: number | null; suspended: boolean | null;
}

/** An indexed record with its versions. */
export interface IndexedRecord {
  recordId: string; subject: string; author: string; kind: number; scope: string; version: number;
  digest: string; status: 'current' | 'retracted'; retractReason: string | null; anchoredBlock: number;
  updatedBlock: number; versions: { version: number; action: string; digest: string | null; block: number; eventIndex: number; extrinsicIndex: number | null; time: string; author: string | null }[];
}

/** An indexed claim (`/claims/{id}` adds `events`). */
export interface IndexedClaim {
  claimId: number; provider: string; insurer: string; patient: string; amount: string; digest: string;
  status: string; approved: string | null; partial: boolean | null; denialReason: number | null;
  paid: string | null; award: string | null; escalated: boolean | null; submittedBlock: number;
  submittedAt: string; updatedBlock: number; updatedAt: string;
  events?: { block: number; eventIndex: number; extrinsicIndex: number | null; time: string; claimId: number; action: string; by: string | null; amount: string | null; detail: string | null }[];
}

/** An indexed provider lifecycle event. */
export interface IndexedProviderEvent {
  block: number; eventIndex: number; extrinsicIndex: number | null; time: string; who: string | null;
  action: string; roles: string[] | null; credentialExpiresAt: number | null; count: number | null;
}

/** An indexed validator-set event or session. */
export interface IndexedValidatorEvent {
  block: number; eventIndex: number; extrinsicIndex: number | null; time: string; action: string;
  who: string | null; session: number | null; count: number | null;
}

/** The indexer's `/health`. */
export interface IndexerHealth {
  /** `ok`, `degraded` or `down`. */
  status: string;
  /** The account the indexer answers as: the audience of signed requests (SS58). */
  audience: string;
  /** The chain's genesis hash, or null before the indexer first reached its node. */
  genesis: string | null;
  /** Blocks behind the finalized head. */
  lagBlocks: number | null;
  /** Everything else the indexer reports (`chain`, `database`, `backend`, `version`, ...). */
  [key: string]: unknown;
}

/** Who signs indexer requests: a keyring pair or a browser-extension account (its own account: no proxies). */
export type IndexerSigner = KeyringPair | ExtensionSigner | { address: string; signRaw: ExtensionSigner['signRaw'] };

/** Options of {@link IndexerClient}. */
export interface IndexerClientOptions {
  /** The signer of patient views and claims (public routes need none). */
  signer?: IndexerSigner;
  /** The chain's genesis hash (default: the indexer's `/health` genesis). */
  genesisHash?: string;
  /** The audience (default: the indexer's `/health` audience). */
  audience?: string;
  /** `Healthchain-Purpose` of the requests (the indexer does not interpret it; default `audit`). */
  purpose?: string;
  /** The fetch to use (default the global one). */
  fetch?: FetchLike;
}

/**
 * The indexer's query API. Patient views and claims are signed GETs (the exchange profile:
 * `Healthchain-Audience` is the indexer's account from `/health`, `Healthchain-Organisation` the
 * signer itself); `/providers`, `/validators` and `/health` are public.
 *
 *   const ix = new IndexerClient('http://127.0.0.1:8090', { signer: dev.ferdie });
 *   const { items, next } = await ix.accesses(dev.ferdie.address, { limit: 10 });
 */
export class IndexerClient {
  /** The indexer's base URL (no trailing slash). */
  readonly baseUrl: string;
  private readonly opts: IndexerClientOptions;
  private readonly fetchFn: FetchLike;
  private identity: { audience: string; genesis: string } | null = null;

  /** @param baseUrl e.g. `http://127.0.0.1:8090`; @param opts signer and overrides */
  constructor(baseUrl: string, opts: IndexerClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.opts = opts;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** `GET /health`. */
  async health(): Promise<IndexerHealth> {
    return (await request(this.fetchFn, 'indexer', `${this.baseUrl}/health`)).body as IndexerHealth;
  }

  /** The audience and genesis hash signatures must name (from the options, else `/health`; cached). */
  async target(): Promise<{ audience: string; genesis: string }> {
    if (this.identity) return this.identity;
    let { audience, genesisHash } = this.opts;
    if (!audience || !genesisHash) {
      const h = await this.health();
      audience ??= h.audience;
      genesisHash ??= h.genesis ?? undefined;
    }
    if (!genesisHash) {
      throw new ServiceError('The indexer has not reached its node yet, so it cannot check which chain a signature is for; retry shortly.', 503, 'not-ready');
    }
    this.identity = { audience: audience as string, genesis: genesisHash };
    return this.identity;
  }

  /** The signed headers of `GET path?query`. */
  async sign(path: string, query: string): Promise<SignedHeaders> {
    const signer = this.opts.signer;
    if (!signer) throw new ServiceError('This indexer route needs a signed request: give the client a signer.', 401, 'login');
    const { audience, genesis } = await this.target();
    const req = { audience, genesisHash: genesis, method: 'GET', path, query, purpose: this.opts.purpose ?? 'audit' };
    if (isKeyringPair(signer)) return signRequest({ pair: signer, ...req });
    return signRequestWithExtension({ signRaw: signer.signRaw.bind(signer), address: signer.address, ...req });
  }

  /** `GET path` with `params`, signed when `signed`; the parsed JSON. */
  async get<T>(path: string, params: Record<string, string | number | boolean | null | undefined> = {}, signed = true): Promise<T> {
    const query = queryOf(params);
    const headers: Record<string, string> = signed ? { ...(await this.sign(path, query)) } : {};
    const url = `${this.baseUrl}${path}${query ? `?${query}` : ''}`;
    return (await request(this.fetchFn, 'indexer', url, { headers })).body as T;
  }

  /** The accesses to a patient's records (filters: accessor, scope, purpose, basis, kind). */
  accesses(patient: string, filters: ListFilters & { accessor?: string; scope?: string; purpose?: string; basis?: string; kind?: string } = {}) {
    return this.get<IndexerPage<IndexedAccess>>(`/patients/${encodeURIComponent(patient)}/accesses`, { ...filters });
  }
  /** A patient's consent history (filters: party, action). */
  consents(patient: string, filters: ListFilters & { party?: string; action?: string } = {}) {
    return this.get<IndexerPage<IndexedConsentEvent>>(`/patients/${encodeURIComponent(patient)}/consents`, { ...filters });
  }
  /**
   * Break-glass windows: of a patient (`patient` given), or by a provider / all (the review
   * queue: `{ review: 'pending' }`, for the provider itself or an auditor).
   */
  breakGlass(patient: string | null, filters: ListFilters & { provider?: string; state?: 'open' | 'closed'; review?: 'pending' | 'reviewed' } = {}) {
    return patient
      ? this.get<IndexerPage<IndexedBreakGlass>>(`/patients/${encodeURIComponent(patient)}/break-glass`, { ...filters })
      : this.get<IndexerPage<IndexedBreakGlass>>('/break-glass', { ...filters });
  }
  /** A patient's records with their versions. */
  records(patient: string, filters: ListFilters = {}) {
    return this.get<IndexerPage<IndexedRecord>>(`/patients/${encodeURIComponent(patient)}/records`, { ...filters });
  }
  /** Claims (filters provider, insurer, patient: the signer must be one of those named, or an auditor; status). */
  claims(filters: ListFilters & { provider?: string; insurer?: string; patient?: string; status?: string } = {}) {
    return this.get<IndexerPage<IndexedClaim>>('/claims', { ...filters });
  }
  /** One claim with its events (for its parties or an auditor). */
  claim(id: number) {
    return this.get<IndexedClaim>(`/claims/${id}`);
  }
  /** Provider lifecycle events (public; filters who, action). */
  providers(filters: ListFilters & { who?: string; action?: string } = {}) {
    return this.get<IndexerPage<IndexedProviderEvent>>('/providers', { ...filters }, false);
  }
  /** Validator-set events and sessions (public; filters who, action). */
  validators(filters: ListFilters & { who?: string; action?: string } = {}) {
    return this.get<IndexerPage<IndexedValidatorEvent>>('/validators', { ...filters }, false);
  }
  /** A patient's accesses as a FHIR Bundle of AuditEvents (filters as accesses; `agent` = accessor). */
  auditEvents(patient: string, filters: ListFilters & { agent?: string; scope?: string; purpose?: string; basis?: string; kind?: string } = {}) {
    return this.get<FhirResource>('/fhir/AuditEvent', { patient, ...filters });
  }
  /** An export (`accesses`, `consents`, `break-glass`, `claims`) as CSV or NDJSON text. */
  async export(dataset: 'accesses' | 'consents' | 'break-glass' | 'claims', filters: Record<string, string | number | undefined> & { format?: 'csv' | 'ndjson' } = {}): Promise<string> {
    const path = `/export/${dataset}`;
    const query = queryOf(filters);
    const headers = { ...(await this.sign(path, query)) };
    return (await request(this.fetchFn, 'indexer', `${this.baseUrl}${path}${query ? `?${query}` : ''}`, { headers })).text;
  }
  /**
   * Every item of a list, following `next` (each page is a new signed request): e.g.
   * `await ix.all((after) => ix.accesses(p, { after }))`. At most `maxPages` pages.
   */
  async all<T>(page: (after: string | undefined) => Promise<IndexerPage<T>>, maxPages = 1_000): Promise<T[]> {
    const out: T[] = [];
    let after: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const p = await page(after);
      out.push(...p.items);
      if (!p.next) break;
      after = p.next;
    }
    return out;
  }
}

// ---- gateway ----

/** A resource as the gateway answered it, with its version headers. */
export interface GatewayResource<T extends FhirResource = FhirResource> {
  /** The resource (its anchor status is in `meta.extension`). */
  resource: T;
  /** HTTP status (200, 201). */
  status: number;
  /** The `ETag` (`W/"<version>"`), if sent. */
  etag: string | null;
  /** The `Location` (on 201), if sent. */
  location: string | null;
}

/** A version's anchor (`GET /fhir/{type}/{id}/$anchor`). */
export interface AnchorStatus {
  /** The version. */
  versionId: string;
  /** `pending`, `in_block`, `finalized` or `failed`. */
  status: string;
  /** The record's on-chain id. */
  recordId?: string;
  /** The version's salted digest (not for a deletion). */
  digest?: string;
  /** The version's salt (until erased). */
  salt?: string;
  /** Block number once in a block. */
  blockNumber?: number;
  /** Block hash once in a block. */
  blockHash?: string;
  /** Why it failed. */
  error?: string;
  /** When the write was committed (ms since the epoch). */
  acknowledgedMs?: number;
  /** When its block was seen finalized (ms since the epoch). */
  finalizedMs?: number;
}

/** `POST /fhir/$verify`'s answer. */
export interface VerifyAnswer {
  /** `current`, `superseded`, `retracted` or `unknown`. */
  result: 'current' | 'superseded' | 'retracted' | 'unknown';
  /** A sentence about it, as of the finalized block. */
  message: string;
  /** The record id. */
  recordId?: string;
  /** The digest computed. */
  digest?: string;
  /** The finalized block checked at. */
  blockNumber?: number;
  /** Its hash. */
  blockHash?: string;
  /** The version the digest is. */
  version?: number;
  /** The latest version (superseded). */
  latest?: number;
}

/** `POST /fhir/$retrieve`'s answer. */
export interface RetrieveAnswer {
  /** The verified resource. */
  resource: FhirResource;
  /** `current` or `superseded`. */
  verification: string;
  /** Its version. */
  version?: number;
  /** The record id. */
  recordId?: string;
  /** Its digest. */
  digest?: string;
  /** The block it was verified at. */
  verifiedAtBlock?: number;
  /** The access basis (`consent`, `breakGlass`). */
  basis?: string;
  /** The custodian's AuditEvent id of the release. */
  custodianAuditEvent?: string;
}

/** The values of a FHIR `Parameters` resource by name (`resource` parts as objects). */
export function parametersOf(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const params = (body as { parameter?: Record<string, unknown>[] } | null)?.parameter;
  if (!Array.isArray(params)) return out;
  for (const p of params) {
    const name = p.name as string;
    if ('resource' in p) { out[name] = p.resource; continue; }
    const key = Object.keys(p).find((k) => k.startsWith('value'));
    if (!key) continue;
    const v = p[key];
    out[name] = key === 'valueInteger64' || key === 'valueInteger' || key === 'valueUnsignedInt' ? Number(v) : v;
  }
  return out;
}

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  /** Extra headers of every request (e.g. the organisation's own authentication in front of the gateway). */
  headers?: Record<string, string>;
  /** The fetch to use (default the global one). */
  fetch?: FetchLike;
}

/**
 * A FHIR gateway's internal API (`/fhir`): create, update, read FHIR resources (each version
 * anchored on chain), their anchor status, `$verify` a copy against the chain, `$retrieve` from
 * another organisation's gateway, `/health`.
 *
 *   const gw = new GatewayClient('http://127.0.0.1:8080');
 *   const { resource } = await gw.create({ resourceType: 'Patient', identifier: [...] });
 *   const anchor = await gw.anchorStatus('Patient', resource.id!);
 */
export class GatewayClient {
  /** The gateway's base URL (no trailing slash, without `/fhir`). */
  readonly baseUrl: string;
  private readonly opts: GatewayClientOptions;
  private readonly fetchFn: FetchLike;

  /** @param baseUrl e.g. `http://127.0.0.1:8080`; @param opts headers and fetch */
  constructor(baseUrl: string, opts: GatewayClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '').replace(/\/fhir$/, '');
    this.opts = opts;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  private async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = {
      method,
      headers: {
        accept: 'application/fhir+json',
        ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
        ...this.opts.headers,
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };
    return request(this.fetchFn, 'gateway', `${this.baseUrl}${path}`, init);
  }

  private static resourceResult<T extends FhirResource>(r: { body: unknown; response: Response }): GatewayResource<T> {
    return {
      resource: r.body as T, status: r.response.status,
      etag: r.response.headers.get('etag'), location: r.response.headers.get('location'),
    };
  }

  /** `POST /fhir/{type}`: create (the server assigns the id). */
  async create<T extends FhirResource>(resource: T): Promise<GatewayResource<T>> {
    return GatewayClient.resourceResult<T>(await this.call('POST', `/fhir/${encodeURIComponent(resource.resourceType)}`, resource));
  }
  /** `PUT /fhir/{type}/{id}`: a new version (`ifMatch`: the version edited, e.g. `W/"1"` or `1`). */
  async update<T extends FhirResource>(resource: T, { ifMatch }: { ifMatch?: string | number } = {}): Promise<GatewayResource<T>> {
    if (!resource.id) throw new ServiceError('An update needs the resource id in the body.', 400, 'invalid');
    const headers: Record<string, string> = ifMatch !== undefined
      ? { 'if-match': typeof ifMatch === 'number' || /^\d+$/.test(ifMatch) ? `W/"${ifMatch}"` : ifMatch } : {};
    return GatewayClient.resourceResult<T>(await this.call('PUT', `/fhir/${encodeURIComponent(resource.resourceType)}/${encodeURIComponent(resource.id)}`, resource, headers));
  }
  /** `GET /fhir/{type}/{id}` (or a version with `version`). */
  async read<T extends FhirResource = FhirResource>(type: string, id: string, { version }: { version?: number | string } = {}): Promise<GatewayResource<T>> {
    const path = `/fhir/${encodeURIComponent(type)}/${encodeURIComponent(id)}${version !== undefined ? `/_history/${version}` : ''}`;
    return GatewayClient.resourceResult<T>(await this.call('GET', path));
  }
  /** `GET /fhir/{type}/{id}/_history`: the history Bundle, newest first. */
  async history(type: string, id: string): Promise<FhirResource> {
    return (await this.call('GET', `/fhir/${encodeURIComponent(type)}/${encodeURIComponent(id)}/_history`)).body as FhirResource;
  }
  /** `GET /fhir/{type}?patient=Patient/<id>`: a searchset Bundle. */
  async search(type: string, patientId: string, { count, offset }: { count?: number; offset?: number } = {}): Promise<FhirResource> {
    const q = queryOf({ patient: patientId.includes('/') ? patientId : `Patient/${patientId}`, _count: count, _offset: offset });
    return (await this.call('GET', `/fhir/${encodeURIComponent(type)}?${q}`)).body as FhirResource;
  }
  /** `DELETE /fhir/{type}/{id}?reason=`: erase and retract (reason: entered-in-error, duplicate, patient-request, replaced, other). */
  async delete(type: string, id: string, { reason, ifMatch }: { reason?: string; ifMatch?: string } = {}): Promise<FhirResource> {
    const q = reason ? `?${queryOf({ reason })}` : '';
    return (await this.call('DELETE', `/fhir/${encodeURIComponent(type)}/${encodeURIComponent(id)}${q}`, undefined, ifMatch ? { 'if-match': ifMatch } : {})).body as FhirResource;
  }
  /** `GET /fhir/{type}/{id}/$anchor[?version=N]`: a version's anchor. */
  async anchorStatus(type: string, id: string, { version }: { version?: number } = {}): Promise<AnchorStatus> {
    const q = version !== undefined ? `?version=${version}` : '';
    const r = await this.call('GET', `/fhir/${encodeURIComponent(type)}/${encodeURIComponent(id)}/$anchor${q}`);
    return parametersOf(r.body) as unknown as AnchorStatus;
  }
  /**
   * `POST /fhir/$verify`: check `resource` (as served or received) with the `salt` of its
   * version against the chain, at the finalized block. `recordId` for a resource this gateway
   * does not hold.
   */
  async verify(resource: FhirResource, salt: string, { recordId }: { recordId?: string } = {}): Promise<VerifyAnswer> {
    const parameter: Record<string, unknown>[] = [{ name: 'resource', resource }, { name: 'salt', valueString: salt }];
    if (recordId) parameter.push({ name: 'recordId', valueString: recordId });
    const r = await this.call('POST', '/fhir/$verify', { resourceType: 'Parameters', parameter });
    return parametersOf(r.body) as unknown as VerifyAnswer;
  }
  /**
   * `POST /fhir/$retrieve`: have this gateway fetch `resource` (`Observation/123`) from the
   * custodian organisation's gateway with a signed request, verify it against the chain and
   * keep the copy. `purpose` default `treatment`.
   */
  async retrieve({ custodian, resource, purpose = 'treatment', patient }: { custodian: string; resource: string; purpose?: string; patient?: string }): Promise<RetrieveAnswer> {
    const parameter: Record<string, unknown>[] = [
      { name: 'custodian', valueString: custodian }, { name: 'resource', valueString: resource },
      { name: 'purpose', valueCode: purpose },
    ];
    if (patient) parameter.push({ name: 'patient', valueString: patient });
    const r = await this.call('POST', '/fhir/$retrieve', { resourceType: 'Parameters', parameter });
    return parametersOf(r.body) as unknown as RetrieveAnswer;
  }
  /** `GET /fhir/AuditEvent`: the exchange's AuditEvents (filters patient, agent, outcome). */
  async auditEvents(filters: { patient?: string; agent?: string; outcome?: string } = {}): Promise<FhirResource> {
    const q = queryOf(filters);
    return (await this.call('GET', `/fhir/AuditEvent${q ? `?${q}` : ''}`)).body as FhirResource;
  }
  /** `GET /health`: the gateway's status (database, chain, outbox, exchange). */
  async health(): Promise<Record<string, unknown>> {
    try {
      return (await this.call('GET', '/health')).body as Record<string, unknown>;
    } catch (e) {
      // 503 (the database does not answer) still carries the status document.
      if (e instanceof ServiceError && e.status === 503 && e.body && typeof e.body === 'object') {
        return e.body as Record<string, unknown>;
      }
      throw e;
    }
  }
}

// ---- the gateway's anchor extension ----

/** The URL of the extension the gateway adds to `meta.extension` of a served resource (services/gateway/src/fhir.rs `ANCHOR_EXTENSION`). */
export const ANCHOR_EXTENSION_URL = 'https://healthchain.example/fhir/StructureDefinition/anchor';

/**
 * The parts of the gateway's anchor extension in a served resource, by their `url`
 * (`recordId`, `digest`, `status`, `blockNumber`, ...; values as strings), or null when the
 * resource carries none.
 */
export function anchorExtension(resource: unknown): Record<string, string> | null {
  const meta = (resource as { meta?: { extension?: unknown } } | null)?.meta;
  const exts = Array.isArray(meta?.extension) ? meta.extension as Array<Record<string, unknown>> : [];
  const ext = exts.find((e) => e?.url === ANCHOR_EXTENSION_URL);
  if (!ext) return null;
  const out: Record<string, string> = {};
  for (const part of Array.isArray(ext.extension) ? ext.extension as Array<Record<string, unknown>> : []) {
    const key = Object.keys(part ?? {}).find((k) => k.startsWith('value'));
    if (key && typeof part.url === 'string') out[part.url] = String(part[key]);
  }
  return out;
}

/**
 * The resource as it was anchored (what to hash with the version's salt to verify a served
 * copy): a copy without the anchor extension, and without `meta.extension` when that empties,
 * as the gateway's `anchored_form` does. The input is not changed.
 */
export function withoutAnchorExtension<T>(resource: T): T {
  if (resource === null || typeof resource !== 'object') return resource;
  const r = structuredClone(resource) as T & { meta?: { extension?: unknown } };
  const meta = r.meta;
  if (meta && typeof meta === 'object' && Array.isArray(meta.extension)) {
    meta.extension = (meta.extension as Array<Record<string, unknown>>).filter((e) => e?.url !== ANCHOR_EXTENSION_URL);
    if ((meta.extension as unknown[]).length === 0) delete meta.extension;
  }
  return r;
}
