// The portal's one entry to @healthchain/sdk (so a rename in the SDK is fixed here only), plus
// the few helpers the portal needs that the SDK does not have (listed in docs/portal.md).
export * from '@healthchain/sdk';
export { recordDigest, randomSalt, canonicalize } from '@healthchain/sdk/digest';
