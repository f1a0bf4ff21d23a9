/** One object to keep: its bytes and the lowercase hex SHA-256 that names them. */
export interface EvidenceObject {
  contentHash: string;
  bytes: Uint8Array;
}

/**
 * Where an object was written. Opaque to callers except for being stored
 * next to the record (warehouse row, signed message) and handed back to `get`.
 * `pack` names the write-once segment holding the pack; `offset`/`length`
 * locate the bytes in it.
 */
export interface StoredLocation {
  pack: string;
  offset: number;
  length: number;
}

export interface WrittenPack {
  locations: StoredLocation[];
  durable: Promise<void>;
}

/** What a scrub of one segment found. */
export interface PackScan {
  packs: number;
  objects: number;
  /** Content hashes of objects whose bytes no longer hash to them. */
  corrupt: string[];
  /** Bytes after the last whole pack: a write torn by a crash, never acknowledged. */
  tornTailBytes: number;
  /**
   * Regions that are not whole packs but are followed by one: damage inside
   * the segment (a torn tail can only be at the end). Their objects could not
   * be checked.
   */
  damaged: { offset: number; bytes: number }[];
}

/**
 * A content-addressed, write-once store of evidence bytes. Objects are written
 * in packs (one per notarized batch) so a batch costs one durable write, not
 * one fsync per manifest; packs are appended to segments. Reads verify the
 * bytes against the content hash. An object-store backend (S3 with object
 * lock) implements the same interface: one pack = one object, reads = ranged GETs.
 */
export interface EvidenceStore {
  /** Durably write all objects as one pack; resolves after the data is on disk. */
  putPack(packName: string, objects: readonly EvidenceObject[]): Promise<StoredLocation[]>;
  /**
   * Write all objects as one pack: the locations are final at once, `durable`
   * settles when the data is on disk (or rejects with STORE_WRITE_FAILED). A
   * caller may do other work meanwhile, e.g. send an uncommitted Kafka
   * transaction, but must not acknowledge anything before `durable` resolves.
   */
  writePack(packName: string, objects: readonly EvidenceObject[]): WrittenPack;
  /** Read and verify one object; throws OBJECT_CORRUPT if the bytes do not hash to `contentHash`. */
  get(location: StoredLocation, contentHash: string): Promise<Uint8Array>;
  /** Names of the segments written so far, oldest first. */
  segments(): Promise<string[]>;
  /** Names of pack files written by builds before segments (one file per pack). */
  legacyPacks(): Promise<string[]>;
  /** Recompute every object's hash in a legacy pack. */
  verifyLegacyPack(packName: string): Promise<PackScan>;
  /** Recompute every object's hash in a segment (for audits and scrubbing). */
  verifySegment(segmentName: string): Promise<PackScan>;
  /** Release open files; a later put starts a new segment. */
  close(): void;
}
