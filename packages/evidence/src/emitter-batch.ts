import { fromHex, leafHash, nodeHash, proveAppendedLeaves, signEnvelope, splitPoint, toBase64, toHex, type EnvelopeSigner, type EnvelopeSignature } from '@probity/crypto';
import { EvidenceError } from './errors.js';
import { EMITTER_BATCH_PAYLOAD_TYPE } from './payload-types.js';

/**
 * An emitter's signature over many records at once. The emitter builds an
 * RFC 6962 tree whose leaves are its records' content hashes (SHA-256 of the
 * single-object bytes), signs one DSSE envelope over this statement of the
 * tree's root, and ships with each record the envelope's payload and
 * signatures plus the record's inclusion proof.
 *
 * As strong as a signature per record: accepting a record the emitter did not
 * sign needs either an Ed25519 forgery or a record whose content hash (after
 * the 0x00 leaf prefix) chains by the proof to a root the emitter signed,
 * i.e. a SHA-256 second preimage. The statement names the tenant, so a batch
 * signed for one tenant cannot vouch for another's records, and its payload
 * type differs from the per-record one, so neither kind of signature can be
 * replayed as the other. What it saves: one Ed25519 signature per batch in the
 * emitter, and about one verification per batch in each notary process (or
 * inspect thread) instead of one per record, where verification is most of a
 * signed record's cost.
 *
 * The payload is byte-exact: `{"v":1,"tenant":…,"size":…,"root":"…"}` in that
 * key order, without spaces, strings escaped as JSON.stringify does (what
 * `encodeEmitterBatchStatement` writes). Emitters in other languages must
 * produce these bytes; anything else is refused.
 */
export interface EmitterBatchStatement {
  v: 1;
  tenant: string;
  /** Leaves in the tree. */
  size: number;
  /** Lowercase hex root hash. */
  root: string;
}

/** What travels with one record (raw-topic header `probity-emitter-batch`, and inside signed batches). */
export interface EmitterBatchProof {
  /** The statement's JSON bytes, base64: the DSSE payload. */
  payload: string;
  signatures: EnvelopeSignature[];
  /** The record's leaf index in the emitter's tree. */
  index: number;
  /** RFC 6962 inclusion proof of the record's leaf, base64 hashes. */
  proof: string[];
}

/** Most records one emitter signature covers: the proof in each record's header grows with log2 of this. */
export const MAX_EMITTER_BATCH = 128;
/** The largest tree a statement may name (emitters in other languages may batch more than the SDK). */
const MAX_STATEMENT_SIZE = 1 << 20;

const malformed = (detail: string) => new EvidenceError('EMITTER_BATCH_INVALID', `emitter batch: ${detail}`);

export function encodeEmitterBatchStatement(statement: EmitterBatchStatement): Buffer {
  return Buffer.from(JSON.stringify({ v: statement.v, tenant: statement.tenant, size: statement.size, root: statement.root }), 'utf8');
}

export function decodeEmitterBatchStatement(payload: Uint8Array): EmitterBatchStatement {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw malformed(`statement is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || value.v !== 1) throw malformed('statement must be an object with v 1');
  if (typeof value.tenant !== 'string' || value.tenant === '') throw malformed('statement tenant must be a non-empty string');
  if (!Number.isSafeInteger(value.size) || (value.size as number) < 1 || (value.size as number) > MAX_STATEMENT_SIZE) {
    throw malformed(`statement size must be an integer from 1 to ${MAX_STATEMENT_SIZE}`);
  }
  if (typeof value.root !== 'string' || !/^[0-9a-f]{64}$/.test(value.root)) throw malformed('statement root must be 64 lowercase hex digits');
  const statement: EmitterBatchStatement = { v: 1, tenant: value.tenant, size: value.size as number, root: value.root };
  // Exactly the bytes the encoder writes: no duplicate keys, extra fields or spacing that another JSON reader could take otherwise.
  if (!encodeEmitterBatchStatement(statement).equals(Buffer.from(payload))) throw malformed('statement is not in its canonical form {"v","tenant","size","root"}');
  return statement;
}

/**
 * Sign records of one tenant: one envelope, and each record's proof. The
 * caller splits larger sets into runs of at most MAX_EMITTER_BATCH.
 */
export function signEmitterBatch(tenant: string, contentHashes: readonly Uint8Array[], signer: EnvelopeSigner): EmitterBatchProof[] {
  if (contentHashes.length === 0) return [];
  const { root, proofs } = proveAppendedLeaves(0, [], contentHashes.map((hash) => leafHash(hash)));
  const payload = encodeEmitterBatchStatement({ v: 1, tenant, size: contentHashes.length, root: toHex(root) });
  const envelope = signEnvelope(payload, EMITTER_BATCH_PAYLOAD_TYPE, signer);
  // Proofs share their upper nodes (the same hash objects): encode each node once.
  const encoded = new Map<Uint8Array, string>();
  const base64Of = (hash: Uint8Array) => {
    let text = encoded.get(hash);
    if (text === undefined) encoded.set(hash, (text = toBase64(hash)));
    return text;
  };
  return proofs.map((proof, index) => ({ payload: envelope.payload, signatures: envelope.signatures, index, proof: proof.map(base64Of) }));
}

// Records of one batch share payload and signatures: their JSON is built once per batch.
const headPrefixes = new WeakMap<EnvelopeSignature[], { payload: string; prefix: string }>();

export function encodeEmitterBatchHeader(proof: EmitterBatchProof): string {
  let head = headPrefixes.get(proof.signatures);
  if (head === undefined || head.payload !== proof.payload) {
    head = { payload: proof.payload, prefix: `{"payload":${JSON.stringify(proof.payload)},"signatures":${JSON.stringify(proof.signatures)},` };
    headPrefixes.set(proof.signatures, head);
  }
  return `${head.prefix}"index":${JSON.stringify(proof.index)},"proof":${JSON.stringify(proof.proof)}}`;
}

/** The header's fields, shape-checked; signatures are checked by whoever verifies them. */
export function parseEmitterBatchHeader(text: string): EmitterBatchProof {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw malformed('header probity-emitter-batch is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw malformed('header must be a JSON object');
  if (typeof value.payload !== 'string' || value.payload === '') throw malformed('payload must be a non-empty base64 string');
  if (!Array.isArray(value.signatures)) throw malformed('signatures must be an array');
  if (!Number.isSafeInteger(value.index) || (value.index as number) < 0) throw malformed('index must be a non-negative integer');
  if (!Array.isArray(value.proof) || !value.proof.every((h) => typeof h === 'string')) throw malformed('proof must be an array of base64 hashes');
  return { payload: value.payload, signatures: value.signatures as EnvelopeSignature[], index: value.index as number, proof: value.proof as string[] };
}

/**
 * Whether `contentHash` is the leaf at `index` of the tree the statement
 * names, by `proof`. Says nothing of the signatures: verify those over
 * the same payload.
 */
export function emitterBatchIncludes(statement: EmitterBatchStatement, contentHash: Uint8Array, index: number, proof: readonly string[]): boolean {
  return new EmitterBatchTree(statement).includes(contentHash, index, proof);
}

/**
 * Checks records' inclusion proofs against one batch's root, remembering
 * every node a successful proof established (the path and its siblings, all
 * fixed by the root). A later proof that reaches a remembered node with the
 * remembered hash only has to match the remembered siblings above it: the
 * notary hashes about two nodes per record instead of log2(size). The answer
 * is always the one a plain RFC 9162 check gives, proof length included.
 */
export class EmitterBatchTree {
  private readonly size: number;
  private readonly root: Buffer;
  /** The hash of each established node (bytes and canonical base64), by its leaf range [lo, hi) as lo * 2^21 + hi. */
  private readonly proven = new Map<number, { hash: Buffer; text: string }>();

  constructor(readonly statement: EmitterBatchStatement) {
    // Node keys pack [lo, hi) as lo * 2^21 + hi: sizes beyond 2^20 would make them ambiguous.
    if (!Number.isSafeInteger(statement.size) || statement.size < 1 || statement.size > MAX_STATEMENT_SIZE) throw malformed(`tree size ${statement.size} is outside 1..${MAX_STATEMENT_SIZE}`);
    this.size = statement.size;
    this.root = Buffer.from(fromHex(statement.root));
    this.proven.set(rangeKey(0, this.size), { hash: this.root, text: this.root.toString('base64') });
  }

  includes(contentHash: Uint8Array, index: number, proof: readonly string[]): boolean {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) return false;
    const steps = pathOf(index, this.size);
    if (proof.length !== steps.length) return false;
    let node = asBuffer(leafHash(contentHash));
    const computed: Buffer[] = [];
    const siblings: Buffer[] = [];
    let established = steps.length;
    for (let j = 0; j < steps.length; j++) {
      const known = this.proven.get(steps[j]!.node);
      if (known !== undefined) {
        // Everything above a remembered node is remembered: the rest of the proof must be those siblings.
        if (!known.hash.equals(node)) return false;
        for (let k = j; k < steps.length; k++) {
          if (this.proven.get(steps[k]!.sibling)?.text !== proof[k]) return false;
        }
        established = j;
        break;
      }
      const sibling = hashFromBase64(proof[j]!);
      if (sibling === null) return false;
      computed.push(node);
      siblings.push(sibling);
      node = asBuffer(steps[j]!.onLeft ? nodeHash(node, sibling) : nodeHash(sibling, node));
    }
    if (established === steps.length && !node.equals(this.root)) return false;
    for (let j = 0; j < established; j++) {
      this.proven.set(steps[j]!.node, { hash: computed[j]!, text: computed[j]!.toString('base64') });
      this.proven.set(steps[j]!.sibling, { hash: siblings[j]!, text: proof[j]! });
    }
    return true;
  }
}

/** The same bytes as a Buffer, without a copy. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A 32-byte hash from canonical base64 (44 characters, one pad), or null. */
function hashFromBase64(text: string): Buffer | null {
  if (text.length !== 44 || text.charCodeAt(43) !== 0x3d || text.charCodeAt(42) === 0x3d) return null;
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from skips characters outside the alphabet; the round trip refuses them and non-zero trailing bits.
  return bytes.length === 32 && bytes.toString('base64') === text ? bytes : null;
}

const rangeKey = (lo: number, hi: number) => lo * 2 ** 21 + hi;

/** The RFC 6962 path of leaf `index`, leaf first: each step's node, its sibling, and whether the node is the left child. */
function pathOf(index: number, size: number): { node: number; sibling: number; onLeft: boolean }[] {
  const steps: { node: number; sibling: number; onLeft: boolean }[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      steps.push({ node: rangeKey(lo, mid), sibling: rangeKey(mid, hi), onLeft: true });
      hi = mid;
    } else {
      steps.push({ node: rangeKey(mid, hi), sibling: rangeKey(lo, mid), onLeft: false });
      lo = mid;
    }
  }
  return steps.reverse();
}
