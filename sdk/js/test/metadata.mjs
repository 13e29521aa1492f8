// Test helper: a registry with Healthchain's metadata (services/chain/metadata/healthchain.scale),
// so names and errors can be checked against the chain without a node.
import { readFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';

export const METADATA_FILE = new URL('../../../services/chain/metadata/healthchain.scale', import.meta.url);

/** A TypeRegistry with the committed metadata set. */
export function metadataRegistry() {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, u8aToHex(readFileSync(METADATA_FILE)));
  registry.setMetadata(metadata);
  return registry;
}

/** A pallet constant decoded from the metadata (as `api.consts.<pallet>.<name>` would be). */
export function constant(registry, pallet, name) {
  const p = registry.metadata.pallets.find((x) => x.name.toString() === pallet);
  const c = p.constants.find((x) => x.name.toString() === name);
  return registry.createType(registry.createLookupType(c.type), c.value.toU8a(true));
}
