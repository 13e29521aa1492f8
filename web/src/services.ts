// The FHIR gateway and the indexer, for the views. The indexer's queries are signed (RFC 9421
// profile) by the SDK's IndexerClient with the selected account's key.
import { requireApi } from './chain';
import { loadSettings } from './config';
import { GatewayClient, IndexerClient, ServiceError } from './sdk';
import type { AnchorStatus, IndexerSigner } from './sdk';

export type { AnchorStatus };

export { ServiceError };

/** An indexer client signing as `signer` (the patient, a guardian or an auditor). */
export async function indexerFor(signer: IndexerSigner): Promise<IndexerClient> {
  const { info } = requireApi();
  return new IndexerClient(loadSettings().indexer, { signer, genesisHash: info.genesisHash });
}

export function gateway(url?: string): GatewayClient {
  return new GatewayClient(url ?? loadSettings().gateway);
}

// The gateway's anchor extension helpers live in the SDK (with its tests).
export { ANCHOR_EXTENSION_URL as ANCHOR_EXTENSION, anchorExtension, withoutAnchorExtension } from './sdk';

/** A service failure as a sentence: what failed, the HTTP status and the service's own words. */
export function serviceMessage(e: unknown, what: string): string {
  if (e instanceof ServiceError) {
    if (e.status === 0) {
      const env = /indexer/i.test(e.message) ? 'HC_INDEXER_CORS_ORIGINS' : 'HC_GATEWAY_CORS_ORIGINS';
      return `${what} failed: ${e.message} Is it running, and does it allow this page's origin (${location.origin}, ${env})?`;
    }
    return `${what} failed (HTTP ${e.status}): ${e.message}`;
  }
  return `${what} failed: ${(e as Error)?.message ?? String(e)}`;
}

/** Run `f`, turning a failure into an Error whose message is `serviceMessage`. */
export async function service<T>(what: string, f: () => Promise<T>): Promise<T> {
  try { return await f(); } catch (e) { throw new Error(serviceMessage(e, what)); }
}
