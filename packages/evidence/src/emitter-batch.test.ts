import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, generateSigningKey, inclusionProof, leafHash, merkleRoot, preAuthEncoding, toBase64, toHex, verifyInclusionByHash } from '@probity/crypto';
import { decodeEmitterBatchStatement, EmitterBatchTree, emitterBatchIncludes, encodeEmitterBatchHeader, encodeEmitterBatchStatement, parseEmitterBatchHeader, signEmitterBatch } from './emitter-batch.js';
import { EMITTER_BATCH_PAYLOAD_TYPE } from './payload-types.js';

const key = generateSigningKey('batch-emitter');
const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`record ${i}`).digest());

describe('emitter batches', () => {
  it('give every record an RFC 6962 proof under one signed root, for every size up to 130', () => {
    for (let size = 1; size <= 130; size++) {
      const leaves = hashes(size);
      const proofs = signEmitterBatch('acme', leaves, key);
      expect(proofs).toHaveLength(size);
      const payload = Buffer.from(proofs[0]!.payload, 'base64');
      const statement = decodeEmitterBatchStatement(payload);
      // The root is the plain RFC 6962 root over the content hashes as leaves: any tlog verifier agrees.
      expect(statement).toEqual({ v: 1, tenant: 'acme', size, root: toHex(merkleRoot(leaves)) });
      expect(verify(null, preAuthEncoding(EMITTER_BATCH_PAYLOAD_TYPE, payload), key.publicKey, Buffer.from(proofs[0]!.signatures[0]!.sig, 'base64'))).toBe(true);
      for (const [i, proof] of proofs.entries()) {
        expect(proof.index).toBe(i);
        expect(proof.proof).toEqual(inclusionProof(i, leaves).map((h) => toBase64(h)));
        expect(emitterBatchIncludes(statement, leaves[i]!, i, proof.proof)).toBe(true);
        if (size > 1) expect(emitterBatchIncludes(statement, leaves[(i + 1) % size]!, i, proof.proof)).toBe(false);
      }
    }
  });

  it('round-trip the header and refuse malformed headers and statements', () => {
    const [proof] = signEmitterBatch('acme', hashes(3), key);
    expect(parseEmitterBatchHeader(encodeEmitterBatchHeader(proof!))).toEqual(proof);
    for (const bad of ['', '[]', 'null', '{"payload":"","signatures":[],"index":0,"proof":[]}', '{"payload":"e30=","signatures":{},"index":0,"proof":[]}', '{"payload":"e30=","signatures":[],"index":-1,"proof":[]}', '{"payload":"e30=","signatures":[],"index":0,"proof":[1]}']) {
      expect(() => parseEmitterBatchHeader(bad)).toThrow(expect.objectContaining({ code: 'EMITTER_BATCH_INVALID' }));
    }
    const root = 'ab'.repeat(32);
    expect(decodeEmitterBatchStatement(encodeEmitterBatchStatement({ v: 1, tenant: 't', size: 2, root }))).toEqual({ v: 1, tenant: 't', size: 2, root });
    for (const bad of [{ v: 2, tenant: 't', size: 1, root }, { v: 1, tenant: '', size: 1, root }, { v: 1, tenant: 't', size: 0, root }, { v: 1, tenant: 't', size: 1, root: 'AB'.repeat(32) }]) {
      expect(() => decodeEmitterBatchStatement(Buffer.from(JSON.stringify(bad)))).toThrow(expect.objectContaining({ code: 'EMITTER_BATCH_INVALID' }));
    }
    expect(() => decodeEmitterBatchStatement(Buffer.from('{'))).toThrow(/not JSON/);
    // Only the canonical bytes: another JSON reader must not be able to read a different statement out of them.
    for (const loose of [`{"v":1,"tenant":"t","size":2,"root":"${root}","tenant":"u"}`, `{"v":1,"tenant":"t","size":2,"root":"${root}","x":1}`, `{ "v":1,"tenant":"t","size":2,"root":"${root}"}`, `{"tenant":"t","v":1,"size":2,"root":"${root}"}`]) {
      expect(() => decodeEmitterBatchStatement(Buffer.from(loose))).toThrow(expect.objectContaining({ code: 'EMITTER_BATCH_INVALID' }));
    }
    // A proof that is not base64 proves nothing (and does not throw).
    expect(emitterBatchIncludes({ v: 1, tenant: 't', size: 2, root }, hashes(1)[0]!, 0, ['***'])).toBe(false);
  });

  it('remembering established nodes, answer every proof exactly as a plain RFC 9162 check does', () => {
    // A deterministic stream of choices, so a failure reproduces.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (const size of [1, 2, 3, 5, 8, 13, 64, 100, 128]) {
      const leaves = hashes(size);
      const root = merkleRoot(leaves);
      const tree = new EmitterBatchTree({ v: 1, tenant: 't', size, root: toHex(root) });
      const proofs = leaves.map((_, i) => inclusionProof(i, leaves).map((h) => toBase64(h)));
      for (let trial = 0; trial < 400; trial++) {
        const index = next(size);
        let leaf: Uint8Array = leaves[index]!;
        let claimed = index;
        let proof = [...proofs[index]!];
        switch (next(6)) {
          case 0: leaf = leaves[(index + 1) % size]!; break; // another record
          case 1: if (proof.length > 0) proof[next(proof.length)] = toBase64(hashes(size + 1)[size]!); break; // a forged sibling
          case 2: proof = proof.slice(0, -1); break; // too short
          case 3: proof = [...proof, proof[0] ?? toBase64(root)]; break; // too long
          case 4: claimed = (index + 1) % size; break; // another index
          default: break; // valid
        }
        const plain = verifyInclusionByHash(leafHash(leaf), claimed, size, proof.map((h) => fromBase64(h)), root);
        expect(tree.includes(leaf, claimed, proof), `size ${size} trial ${trial}`).toBe(plain);
      }
      // Every record's own proof holds, after all those attempts.
      leaves.forEach((leaf, i) => expect(tree.includes(leaf, i, proofs[i]!)).toBe(true));
    }
  });
});
