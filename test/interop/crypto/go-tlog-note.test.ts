/**
 * @probity/crypto against Go's golang.org/x/mod/sumdb/{tlog,note}: the stored
 * hash layout, roots, inclusion and consistency proofs, signed checkpoints and
 * key formats must be byte-identical, and Go must reject what we reject.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatSignerKey,
  formatVerifierKey,
  fromBase64,
  generateSigningKey,
  leafHash,
  parseSignerKey,
  parseVerifierKey,
  proveRecord,
  proveTree,
  signCheckpoint,
  signNote,
  storedHashesForRecord,
  toBase64,
  treeHash,
  verifyCheckpoint,
  type HashReader,
} from '@probity/crypto';
import { ensureGoChecker, runJson } from './tools.js';

interface SizeResult {
  size: number;
  treeHash: string;
  recordProofs: string[][] | null;
  treeProofs: string[][] | null;
}
interface GoResponse {
  storedHashesMatch?: boolean;
  storedHashCount: number;
  sizes: SizeResult[] | null;
  records: string[] | null;
  trees: string[] | null;
  opens: { result: string; text: string; names: string[] | null }[] | null;
  signed: string[] | null;
  generatedSKey?: string;
  generatedVKey?: string;
}

const LEAVES = 300;
const b64 = (list: Uint8Array[]) => list.map(toBase64);
const flip = (h: Uint8Array) => {
  const c = new Uint8Array(h);
  c[7]! ^= 0x20;
  return c;
};

describe('interop with Go golang.org/x/mod/sumdb (tlog, note)', () => {
  let checker: string;
  const go = (request: unknown) => runJson<GoResponse>(checker, [], request);

  // Our log, built only through the stored-hash API the notary uses.
  const stored: Uint8Array[] = [];
  const leafHashes: Uint8Array[] = [];
  const read: HashReader = (indexes) => indexes.map((i) => stored[i]!);

  beforeAll(() => {
    checker = ensureGoChecker();
    for (let i = 0; i < LEAVES; i++) {
      const h = leafHash(new TextEncoder().encode(`{"record":${i}}`));
      stored.push(...storedHashesForRecord(i, h, read));
      leafHashes.push(h);
    }
  });

  it('writes the same stored hashes, roots and proofs as Go tlog', () => {
    const sizes = [...Array.from({ length: 34 }, (_, i) => i), 64, 100, 255, 256, 257, LEAVES];
    const res = go({ leafHashes: b64(leafHashes), storedHashes: b64(stored), sizes });
    expect(res.storedHashesMatch).toBe(true);
    expect(res.storedHashCount).toBe(stored.length);
    expect(res.sizes).toHaveLength(sizes.length);
    let proofsCompared = 0;
    for (const r of res.sizes!) {
      expect(r.treeHash, `TreeHash(${r.size})`).toBe(toBase64(treeHash(r.size, read)));
      for (let n = 0; n < r.size; n++) {
        expect(r.recordProofs![n], `ProveRecord(${r.size}, ${n})`).toEqual(b64(proveRecord(r.size, n, read)));
        expect(r.treeProofs![n], `ProveTree(${r.size}, ${n + 1})`).toEqual(b64(proveTree(r.size, n + 1, read)));
        proofsCompared += 2;
      }
    }
    expect(proofsCompared).toBeGreaterThan(3000);
  });

  it('has Go CheckRecord and CheckTree accept our proofs and reject tampered ones', () => {
    const records: unknown[] = [];
    const expectOk: boolean[] = [];
    const trees: unknown[] = [];
    const expectTreeOk: boolean[] = [];
    for (const t of [1, 2, 3, 7, 8, 9, 31, 100, 257, 300]) {
      const th = treeHash(t, read);
      for (const n of new Set([0, Math.floor(t / 2), t - 1])) {
        const proof = proveRecord(t, n, read);
        records.push({ treeSize: t, treeHash: toBase64(th), index: n, leafHash: toBase64(leafHashes[n]!), proof: b64(proof) });
        expectOk.push(true);
        records.push({ treeSize: t, treeHash: toBase64(th), index: n, leafHash: toBase64(flip(leafHashes[n]!)), proof: b64(proof) });
        expectOk.push(false);
        if (proof.length > 0) {
          records.push({ treeSize: t, treeHash: toBase64(th), index: n, leafHash: toBase64(leafHashes[n]!), proof: b64([flip(proof[0]!), ...proof.slice(1)]) });
          expectOk.push(false);
        }
      }
      for (const old of new Set([1, Math.max(1, Math.floor(t / 3)), t - 1].filter((m) => m >= 1 && m < t))) {
        const proof = proveTree(t, old, read);
        const oh = treeHash(old, read);
        trees.push({ treeSize: t, treeHash: toBase64(th), oldSize: old, oldHash: toBase64(oh), proof: b64(proof) });
        expectTreeOk.push(true);
        trees.push({ treeSize: t, treeHash: toBase64(th), oldSize: old, oldHash: toBase64(flip(oh)), proof: b64(proof) });
        expectTreeOk.push(false);
        trees.push({ treeSize: t, treeHash: toBase64(th), oldSize: old, oldHash: toBase64(oh), proof: b64(proof.map((h, i) => (i === proof.length - 1 ? flip(h) : h))) });
        expectTreeOk.push(false);
      }
    }
    const res = go({ leafHashes: b64(leafHashes), records, trees });
    expect(res.records!.map((r) => r === 'ok')).toEqual(expectOk);
    expect(res.trees!.map((r) => r === 'ok')).toEqual(expectTreeOk);
  });

  it('has Go note.Open verify our signed checkpoint with our verifier key', () => {
    const key = generateSigningKey('probity.example/log/tenant-a');
    const vkey = formatVerifierKey(key.name, key.publicKeyRaw);
    const checkpoint = { origin: key.name, size: LEAVES, rootHash: treeHash(LEAVES, read), extensions: ['probity-shard 0'] };
    const signed = signCheckpoint(checkpoint, key);
    const other = generateSigningKey(key.name);
    const res = go({
      opens: [
        { note: signed, vkey },
        { note: signed.replace(`\n${LEAVES}\n`, `\n${LEAVES + 1}\n`), vkey },
        { note: signed, vkey: formatVerifierKey(other.name, other.publicKeyRaw) },
      ],
    });
    expect(res.opens![0]).toEqual({ result: 'ok', text: signed.slice(0, signed.lastIndexOf('\n\n') + 1), names: [key.name] });
    expect(res.opens![1]!.result).toMatch(/invalid signature/);
    expect(res.opens![2]!.result).toMatch(/no verifiable signatures/);
  });

  it('accepts a checkpoint Go signed with our signer key, byte-identical to our own signature', () => {
    const key = generateSigningKey('probity.example/log/tenant-b');
    const skey = formatSignerKey(key.name, key.privateKey);
    const text = `${key.name}\n${LEAVES}\n${toBase64(treeHash(LEAVES, read))}\n`;
    const res = go({ signs: [{ text, skey }] });
    const goSigned = res.signed![0]!;
    expect(goSigned).toBe(signNote(text, key));
    const cp = verifyCheckpoint(goSigned, [formatVerifierKey(key.name, key.publicKeyRaw)], { origin: key.name });
    expect(cp.size).toBe(LEAVES);
    expect(cp.rootHash).toEqual(treeHash(LEAVES, read));
  });

  it('reads keys made by Go note.GenerateKey and signs notes Go accepts with them', () => {
    const gen = go({ generateKey: 'witness.example/w1' });
    const verifier = parseVerifierKey(gen.generatedVKey!);
    const signer = parseSignerKey(gen.generatedSKey!);
    expect(signer.publicKeyRaw).toEqual(verifier.publicKeyRaw);
    expect(formatVerifierKey(verifier.name, verifier.publicKeyRaw)).toBe(gen.generatedVKey);
    expect(formatSignerKey(signer.name, signer.privateKey)).toBe(gen.generatedSKey);
    const note = signNote('cosigned\n', signer);
    const res = go({ opens: [{ note, vkey: gen.generatedVKey }] });
    expect(res.opens![0]!.result).toBe('ok');
    expect(fromBase64(note.split(' ').pop()!.trim()).byteLength).toBe(68);
  });
});
