import { fromHex, proveRecord, proveTree, storedHashIndex, toBase64, toHex, treeHash } from '@probity/crypto';
import type { Warehouse } from '@probity/warehouse';
import { AuditApiError } from '../errors.js';
import { StoredHashes } from './stored-hashes.js';

/** Leaves read per warehouse round trip while building a shard's hashes. */
const LEAF_CHUNK = 262_144;

export interface StoredCheckpoint {
  shard: number;
  size: number;
  /** Lowercase hex. */
  root_hash: string;
  /** The C2SP signed note, verifiable with the keys of `GET /v1/keys`. */
  signed_note: string;
  created_at: string;
}

export interface InclusionAnswer {
  shard: number;
  index: number;
  size: number;
  leaf_hash: string;
  root_hash: string;
  /** Base64 hashes, RFC 6962 order. */
  proof: string[];
}

export interface ConsistencyAnswer {
  shard: number;
  from: number;
  to: number;
  from_root: string;
  to_root: string;
  proof: string[];
}

/**
 * Proofs over the per-shard logs the notary keeps, recomputed from
 * `log_leaves_v1` and checked against the signed checkpoints in
 * `checkpoints_v1`. Log data is hashes only, the same for every tenant.
 */
export class TransparencyLog {
  private readonly shards = new Map<number, StoredHashes>();
  private readonly syncing = new Map<number, Promise<void>>();
  /** Roots already compared with a signed checkpoint, per shard. */
  private readonly verifiedSizes = new Map<number, number>();

  /** Latest checkpoint per shard, reused for `latestTtlMs`: point lookups then cost one warehouse read, not two. */
  private readonly latest = new Map<number, { at: number; checkpoint: StoredCheckpoint | undefined }>();
  private readonly refreshing = new Map<number, Promise<StoredCheckpoint | undefined>>();

  /**
   * @param latestTtlMs how long a shard's latest checkpoint is reused. For
   * one more `latestTtlMs` it is still served while a background read
   * refreshes it, so "latest" may lag by up to twice this; 0 reads it every
   * time. 5 s rather than 1 s: each refresh occupies the engine's read
   * session for a moment, and with 16 shards refreshed every second ~5% of
   * point lookups queued behind one (bench/query at 10^7: API p95 5.7 ms
   * against 3.6 bare). A stored record carries its own checkpoint and
   * proof; "latest" only adds a fresher one.
   * @defaultValue 5000
   */
  constructor(
    private readonly warehouse: Warehouse,
    private readonly latestTtlMs = 5000,
  ) {}

  async latestCheckpoint(shard: number): Promise<StoredCheckpoint | undefined> {
    const cached = this.latest.get(shard);
    const age = cached ? Date.now() - cached.at : Number.POSITIVE_INFINITY;
    if (cached && age < this.latestTtlMs) return cached.checkpoint;
    if (cached && age < 2 * this.latestTtlMs) {
      // Stale-while-revalidate: with 16 shards and a 1 s TTL, waiting on the refresh put a
      // checkpoint read into ~6% of point lookups (their p95); a failure surfaces on the next blocking read.
      this.refreshLatest(shard).catch(() => undefined);
      return cached.checkpoint;
    }
    return this.refreshLatest(shard);
  }

  /** One read of a shard's latest checkpoint at a time; concurrent callers share it. */
  private refreshLatest(shard: number): Promise<StoredCheckpoint | undefined> {
    let running = this.refreshing.get(shard);
    if (!running) {
      running = this.readLatestCheckpoint(shard)
        .then((checkpoint) => {
          this.latest.set(shard, { at: Date.now(), checkpoint });
          return checkpoint;
        })
        .finally(() => this.refreshing.delete(shard));
      this.refreshing.set(shard, running);
    }
    return running;
  }

  private async readLatestCheckpoint(shard: number): Promise<StoredCheckpoint | undefined> {
    const [row] = await this.warehouse.query(
      `SELECT shard, size, lower(hex(root_hash)) AS root_hash, signed_note, created_at FROM checkpoints_v1
       WHERE shard = {shard:UInt16} ORDER BY size DESC LIMIT 1`,
      { shard },
    );
    if (!row) return undefined;
    return {
      shard: Number(row.shard),
      size: Number(row.size),
      root_hash: String(row.root_hash),
      signed_note: String(row.signed_note),
      created_at: `${String(row.created_at).replace(' ', 'T')}Z`,
    };
  }

  /**
   * The checkpoint an audit package proves a shard's records against: the
   * latest signed by `asOf` when it covers the first `minSize` leaves, else
   * the first one after that does (a record notarized just before `asOf`
   * can be in a checkpoint signed just after).
   */
  async checkpointForPackage(shard: number, asOf: Date, minSize: number): Promise<StoredCheckpoint | undefined> {
    const columns = `shard, size, lower(hex(root_hash)) AS root_hash, signed_note, created_at`;
    const [atAsOf] = await this.warehouse.query(
      `SELECT ${columns} FROM checkpoints_v1 WHERE shard = {shard:UInt16} AND created_at <= {as_of:DateTime64(6, 'UTC')} ORDER BY size DESC LIMIT 1`,
      { shard, as_of: asOf },
    );
    let row = atAsOf && Number(atAsOf.size) >= minSize ? atAsOf : undefined;
    if (!row) {
      [row] = await this.warehouse.query(`SELECT ${columns} FROM checkpoints_v1 WHERE shard = {shard:UInt16} AND size >= {min:UInt64} ORDER BY size ASC LIMIT 1`, { shard, min: minSize });
    }
    if (!row) return undefined;
    return { shard: Number(row.shard), size: Number(row.size), root_hash: String(row.root_hash), signed_note: String(row.signed_note), created_at: `${String(row.created_at).replace(' ', 'T')}Z` };
  }

  /** The latest checkpoint, or 404 for a shard without one. */
  async requireLatest(shard: number): Promise<StoredCheckpoint> {
    const checkpoint = await this.latestCheckpoint(shard);
    if (!checkpoint) throw new AuditApiError('NOT_FOUND', `shard ${shard} has no checkpoint yet`, { parameter: 'shard' });
    return checkpoint;
  }

  async inclusion(shard: number, index: number, size: number | undefined): Promise<InclusionAnswer> {
    const latest = await this.requireLatest(shard);
    const treeSize = size ?? latest.size;
    if (treeSize > latest.size) {
      throw new AuditApiError('BAD_REQUEST', `size ${treeSize} is beyond the latest checkpoint of shard ${shard} (size ${latest.size})`, { parameter: 'size' });
    }
    if (index >= treeSize) throw new AuditApiError('BAD_REQUEST', `index ${index} is not below size ${treeSize}`, { parameter: 'index' });
    const hashes = await this.hashesFor(latest);
    const [leaf] = hashes.read([storedHashIndex(0, index)]);
    return {
      shard,
      index,
      size: treeSize,
      leaf_hash: toHex(leaf!),
      root_hash: toHex(treeHash(treeSize, hashes.read)),
      proof: proveRecord(treeSize, index, hashes.read).map((h) => toBase64(h)),
    };
  }

  async consistency(shard: number, from: number, to: number | undefined): Promise<ConsistencyAnswer> {
    const latest = await this.requireLatest(shard);
    const toSize = to ?? latest.size;
    if (toSize > latest.size) {
      throw new AuditApiError('BAD_REQUEST', `to ${toSize} is beyond the latest checkpoint of shard ${shard} (size ${latest.size})`, { parameter: 'to' });
    }
    if (from > toSize) throw new AuditApiError('BAD_REQUEST', `from ${from} is larger than to ${toSize}`, { parameter: 'from' });
    const hashes = await this.hashesFor(latest);
    return {
      shard,
      from,
      to: toSize,
      from_root: toHex(treeHash(from, hashes.read)),
      to_root: toHex(treeHash(toSize, hashes.read)),
      proof: proveTree(toSize, from, hashes.read).map((h) => toBase64(h)),
    };
  }

  /** Inclusion proof of a leaf under the shard's latest checkpoint; undefined when the shard has none covering it. */
  async proveAgainstLatest(shard: number, index: number): Promise<{ checkpoint: StoredCheckpoint; proof: string[] } | undefined> {
    const latest = await this.latestCheckpoint(shard);
    if (!latest || index >= latest.size) return undefined;
    const hashes = await this.hashesFor(latest);
    return { checkpoint: latest, proof: proveRecord(latest.size, index, hashes.read).map((h) => toBase64(h)) };
  }

  /** Leaves held in memory per shard (for health and the bench). */
  stats(): { shard: number; leaves: number; bytes: number }[] {
    return [...this.shards.entries()].map(([shard, h]) => ({ shard, leaves: h.size, bytes: h.bytes }));
  }

  /**
   * The shard's hashes, extended to cover `checkpoint`, whose root must
   * equal the one recomputed from the leaves: a mismatch means the stored
   * leaves and the signed checkpoint disagree, and no proof is served.
   */
  async hashesFor(checkpoint: StoredCheckpoint): Promise<StoredHashes> {
    const { shard, size } = checkpoint;
    let hashes = this.shards.get(shard);
    if (!hashes) {
      hashes = new StoredHashes();
      this.shards.set(shard, hashes);
    }
    while (hashes.size < size) {
      // One reader per shard; others wait for it and then re-check.
      const running = this.syncing.get(shard);
      if (running) {
        await running;
        continue;
      }
      const sync = this.extend(shard, hashes, size).finally(() => this.syncing.delete(shard));
      this.syncing.set(shard, sync);
      await sync;
    }
    if ((this.verifiedSizes.get(shard) ?? -1) !== size) {
      const root = toHex(treeHash(size, hashes.read));
      if (root !== checkpoint.root_hash) {
        throw new AuditApiError('LOG_INCONSISTENT', `shard ${shard}: the stored leaves give root ${root} at size ${size}, the signed checkpoint says ${checkpoint.root_hash}`);
      }
      this.verifiedSizes.set(shard, size);
    }
    return hashes;
  }

  private async extend(shard: number, hashes: StoredHashes, size: number): Promise<void> {
    while (hashes.size < size) {
      const lo = hashes.size;
      const hi = Math.min(size, lo + LEAF_CHUNK);
      const [row] = await this.warehouse.query<{ n: string; lo: string; hashes: string }>(
        `SELECT count() AS n, min(leaf_index) AS lo, arrayStringConcat(arrayMap(x -> hex(x.2), arraySort(groupArray((leaf_index, leaf_hash))))) AS hashes
         FROM (SELECT leaf_index, leaf_hash FROM log_leaves_v1
               WHERE shard = {shard:UInt16} AND leaf_index >= {lo:UInt64} AND leaf_index < {hi:UInt64}
               LIMIT 1 BY leaf_index)`,
        { shard, lo, hi },
      );
      const count = Number(row?.n ?? 0);
      if (count !== hi - lo || (count > 0 && Number(row!.lo) !== lo)) {
        throw new AuditApiError('LOG_NOT_READY', `shard ${shard}: leaves ${lo}..${hi - 1} are not all in the warehouse yet (found ${count}); retry shortly`);
      }
      hashes.append(Buffer.from(fromHex(row!.hashes.toLowerCase())), count);
    }
  }
}
