/**
 * Merkle batches of record digests, as `records.anchorBatch` anchors them and the node's
 * `records_verifyInclusion` RPC checks them: the Substrate crate `binary-merkle-tree` (16.x)
 * over blake2-256, identical to `healthchain-digest batch` (tools/digest).
 *
 * The tree, as the crate builds it:
 *
 * - every leaf (a 32-byte record digest) is hashed first: row 0 is `blake2-256(leaf)`;
 * - each next row hashes adjacent pairs, `blake2-256(left || right)`; an odd last node moves up
 *   unchanged (it is not hashed with itself);
 * - the root is the single node of the last row (32 zero bytes for no leaves, which
 *   `anchorBatch` refuses).
 *
 * A proof lists the sibling hashes from the leaf up, skipping the rows where the node had no
 * sibling. Browser-safe, like the digest module.
 *
 * @example
 * ```ts
 * const root = merkleRoot(digests);                  // records.anchorBatch(root, digests.length)
 * const p = merkleProof(digests, 3);                 // give p to whoever holds record 3
 * verifyMerkleProof(p.root, p.leaf, p.leafIndex, p.leafCount, p.proof); // true
 * ```
 *
 * @module
 */

import {
  blake2_256,
  DigestError,
  parseHex32,
  recordDigest,
  leafSalt,
  contentOf,
  toHex,
  type HexString,
} from './digest.js';

/** A 32-byte value: hex (with or without `0x`) or bytes. */
export type Hash32 = string | Uint8Array;

/**
 * One leaf's inclusion proof, as `records_verifyInclusion(batchId, leaf, leafIndex, proof)`
 * takes it and as `healthchain-digest batch` writes it (`proofs/<file>.proof.json`).
 */
export interface MerkleProof {
  /** The batch root (anchored with `records.anchorBatch(root, leafCount)`). */
  root: HexString;
  /** Sibling hashes from the leaf up. */
  proof: HexString[];
  /** The leaf's position, from 0. */
  leafIndex: number;
  /** The number of leaves in the batch. */
  leafCount: number;
  /** The leaf: a record digest. */
  leaf: HexString;
}

/** The root of a tree with no leaves (the crate's default hash): 32 zero bytes. */
export const EMPTY_ROOT: HexString = toHex(new Uint8Array(32));

function concatHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const both = new Uint8Array(64);
  both.set(a, 0);
  both.set(b, 32);
  return blake2_256(both);
}

/**
 * The depth of a tree over `leafCount` leaves, i.e. the longest proof it has:
 * `ceil(log2(leafCount))`, 0 for one leaf or none (the pallet's `merkle_depth`).
 * `records_verifyInclusion` refuses longer proofs before hashing.
 */
export function merkleDepth(leafCount: number): number {
  if (leafCount <= 1) return 0;
  return 32 - Math.clz32(leafCount - 1);
}

/**
 * A whole tree kept in memory, for proofs of many leaves of one batch (each proof is then
 * O(log n) instead of rebuilding the tree, as `healthchain-digest batch` does).
 */
export class MerkleTree {
  /** The leaves (record digests), in batch order. */
  readonly leaves: HexString[];
  /** The root to anchor with `records.anchorBatch(root, leafCount)`. */
  readonly root: HexString;
  /** Row 0 holds the hashed leaves, the last row the root. */
  private readonly rows: Uint8Array[][];

  /**
   * Build the tree.
   *
   * @param leaves - 32-byte record digests (hex or bytes), in batch order
   * @throws {@link DigestError} `BadHex32` when a leaf is not 32 bytes.
   */
  constructor(leaves: readonly Hash32[]) {
    const bytes = leaves.map((l, i) => leafBytes(l, i));
    this.leaves = bytes.map(toHex);
    this.rows = [];
    if (bytes.length === 0) {
      this.root = EMPTY_ROOT;
      return;
    }
    let row = bytes.map(blake2_256);
    this.rows.push(row);
    while (row.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < row.length; i += 2) next.push(concatHash(row[i], row[i + 1]));
      if (row.length % 2 === 1) next.push(row[row.length - 1]); // an odd last node moves up
      row = next;
      this.rows.push(row);
    }
    this.root = toHex(row[0]);
  }

  /** The number of leaves. */
  get leafCount(): number {
    return this.leaves.length;
  }

  /**
   * The inclusion proof of leaf `index`, equal to the crate's `merkle_proof`.
   *
   * @throws {@link DigestError} `BadLeafIndex` when `index` is not a leaf's position.
   */
  proof(index: number): MerkleProof {
    if (!Number.isInteger(index) || index < 0 || index >= this.leaves.length) {
      throw new DigestError(
        'BadLeafIndex',
        `Leaf ${index} is not in a batch of ${this.leaves.length} leaves.`,
      );
    }
    const proof: HexString[] = [];
    let i = index;
    for (const row of this.rows.slice(0, -1)) {
      const sibling = i ^ 1;
      if (sibling < row.length) proof.push(toHex(row[sibling]));
      i = Math.floor(i / 2);
    }
    return {
      root: this.root,
      proof,
      leafIndex: index,
      leafCount: this.leaves.length,
      leaf: this.leaves[index],
    };
  }
}

function leafBytes(leaf: Hash32, index: number): Uint8Array {
  try {
    return parseHex32(leaf);
  } catch (e) {
    if (e instanceof DigestError) {
      throw new DigestError('BadHex32', `Leaf ${index} is not a 32-byte digest: ${e.message}`);
    }
    throw e;
  }
}

/**
 * The root of the tree over `leaves`: `binary_merkle_tree::merkle_root::<Blake2_256>`, what
 * `records.anchorBatch(root, leaves.length)` anchors.
 *
 * @param leaves - 32-byte record digests (hex or bytes), in batch order
 * @returns the root; {@link EMPTY_ROOT} for no leaves
 * @throws {@link DigestError} `BadHex32` when a leaf is not 32 bytes.
 */
export function merkleRoot(leaves: readonly Hash32[]): HexString {
  return new MerkleTree(leaves).root;
}

/**
 * The inclusion proof of leaf `index`: `binary_merkle_tree::merkle_proof`. For proofs of many
 * leaves of one batch, build a {@link MerkleTree} once and call its `proof`.
 *
 * @param leaves - 32-byte record digests (hex or bytes), in batch order
 * @param index - the leaf's position, from 0
 * @throws {@link DigestError} `BadHex32` for a bad leaf, `BadLeafIndex` for a bad index.
 */
export function merkleProof(leaves: readonly Hash32[], index: number): MerkleProof {
  return new MerkleTree(leaves).proof(index);
}

/**
 * Whether `leaf` is leaf `leafIndex` of the batch of `leafCount` leaves with root `root`, given
 * the sibling hashes `proof`: the answer `records_verifyInclusion` gives for an anchored batch
 * (a proof longer than the tree is deep is refused first, then
 * `binary_merkle_tree::verify_proof` with blake2-256).
 *
 * @param root - the batch root
 * @param leaf - the record digest
 * @param leafIndex - its position, from 0
 * @param leafCount - the number of leaves in the batch
 * @param proof - sibling hashes from the leaf up
 * @returns true when the proof leads from the leaf to the root
 * @throws {@link DigestError} `BadHex32` when the root, the leaf or a proof item is not 32 bytes.
 */
export function verifyMerkleProof(
  root: Hash32,
  leaf: Hash32,
  leafIndex: number,
  leafCount: number,
  proof: readonly Hash32[],
): boolean {
  const rootBytes = parseHex32(root);
  let hash = blake2_256(parseHex32(leaf));
  const items = proof.map((p) => parseHex32(p));
  if (!Number.isInteger(leafIndex) || !Number.isInteger(leafCount)) return false;
  if (leafIndex < 0 || leafCount > 0xffff_ffff || leafIndex >= leafCount) return false;
  if (items.length > merkleDepth(leafCount)) return false;
  let position = leafIndex;
  let width = leafCount;
  for (const sibling of items) {
    // As the crate: a right child, or the last node of its row (always a right child once it
    // meets a sibling), hashes as `sibling || node`.
    hash = position % 2 === 1 || position + 1 === width ? concatHash(sibling, hash) : concatHash(hash, sibling);
    position = Math.floor(position / 2);
    width = Math.floor((width - 1) / 2) + 1;
  }
  return toHex(hash) === toHex(rootBytes);
}

/** One record of a {@link recordBatch}: its name and content. */
export interface BatchFile {
  /** The file name: it orders the batch and salts the record ({@link leafSalt}). */
  name: string;
  /** The file's bytes (JSON when the name ends in `.json`, see {@link contentOf}). */
  bytes: Uint8Array;
}

/** What {@link recordBatch} returns: the batch summary and every leaf's proof. */
export interface RecordBatch {
  /** The root to anchor with `records.anchorBatch(root, leafCount)`. */
  root: HexString;
  /** The number of records. */
  leafCount: number;
  /** Per record, in batch order: its name, position and digest. */
  leaves: { file: string; leafIndex: number; digest: HexString }[];
  /** Per record, in batch order: its inclusion proof. */
  proofs: MerkleProof[];
}

function compareUtf8(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * A batch of record files, as `healthchain-digest batch DIR --salt SALT` builds it: files
 * ordered by name (byte-wise), each digested with its own salt `blake2-256(salt || name)`
 * ({@link leafSalt}) — as JSON when named `*.json`, as bytes otherwise — then a Merkle tree over
 * the digests. (The Rust tool lists DIR's regular files and skips names starting with `.`;
 * here you pass the files.)
 *
 * @param files - the records
 * @param salt - the batch salt (hex or bytes, at least 16 bytes)
 * @throws {@link DigestError} `BadSalt`, `BadJson` (a `.json` file that is not JSON), or
 *   `BadLeafIndex` for no files or two files of one name.
 */
export function recordBatch(files: readonly BatchFile[], salt: string | Uint8Array): RecordBatch {
  if (files.length === 0) throw new DigestError('BadLeafIndex', 'A batch needs at least one file.');
  const sorted = [...files].sort((a, b) => compareUtf8(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) {
      throw new DigestError('BadLeafIndex', `Two files of the batch are named ${sorted[i].name}.`);
    }
  }
  const digests = sorted.map((f) => recordDigest(f.bytes, leafSalt(salt, f.name), contentOf(f.name)));
  const tree = new MerkleTree(digests);
  return {
    root: tree.root,
    leafCount: tree.leafCount,
    leaves: sorted.map((f, i) => ({ file: f.name, leafIndex: i, digest: digests[i] })),
    proofs: digests.map((_, i) => tree.proof(i)),
  };
}
