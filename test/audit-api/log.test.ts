import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, verifyCheckpoint, verifyConsistency, verifyInclusionByHash } from '@probity/crypto';
import { TABLES } from '@probity/warehouse';
import { auditHarness, type AuditHarness } from './fixtures.js';

let h: AuditHarness;
let token: string;
const sizes: number[] = [];

beforeAll(async () => {
  h = await auditHarness();
  token = await h.token('acme', 'auditor');
  // Batches of uneven sizes give checkpoints at 1, 6, 13, 32, 33, 70.
  for (const n of [1, 5, 7, 19, 1, 37]) {
    await h.factory.notarize(3, Array.from({ length: n }, (_, i) => ({ tenant: i % 2 ? 'acme' : 'globex', modelId: 'm', occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000) })));
    sizes.push(h.factory.leafHashes(3).length);
  }
});
afterAll(async () => {
  await h?.cleanup();
});

describe('log endpoints', () => {
  it('serve the latest signed checkpoint of a shard', async () => {
    const res = await h.get('/v1/log/3/checkpoint', token);
    expect(res.status).toBe(200);
    expect(res.body.size).toBe(70);
    const keys = h.factory.notaryKeys().map((k) => ({ name: k.name, publicKey: k.publicKey }));
    const verifierKeys = JSON.parse((await h.get('/v1/keys')).text).keys.map((k: { verifierKey: string }) => k.verifierKey);
    expect(keys.length).toBe(verifierKeys.length);
    const checkpoint = verifyCheckpoint(res.body.signed_note, { log: verifierKeys });
    expect(checkpoint.size).toBe(70);
    expect(Buffer.from(checkpoint.rootHash).toString('hex')).toBe(res.body.root_hash);
  });

  it('serve inclusion proofs that verify for every leaf at several sizes', async () => {
    const leaves = h.factory.leafHashes(3);
    for (const size of [1, 6, 33, 70]) {
      const checkpoint = await h.get(`/v1/log/3/proof/inclusion?index=0&size=${size}`, token);
      const root = fromHex(checkpoint.body.root_hash);
      for (let index = 0; index < size; index += size > 10 ? 7 : 1) {
        const res = await h.get(`/v1/log/3/proof/inclusion?index=${index}&size=${size}`, token);
        expect(res.status).toBe(200);
        expect(res.body.leaf_hash).toBe(Buffer.from(leaves[index]!).toString('hex'));
        expect(verifyInclusionByHash(leaves[index]!, index, size, res.body.proof.map(fromBase64), root)).toBe(true);
      }
    }
    // Default size: the latest checkpoint.
    const latest = await h.get('/v1/log/3/proof/inclusion?index=69', token);
    expect(latest.body.size).toBe(70);
  });

  it('serve consistency proofs between checkpoints that verify with verifyConsistency', async () => {
    for (const from of sizes) {
      for (const to of sizes.filter((s) => s >= from)) {
        const res = await h.get(`/v1/log/3/proof/consistency?from=${from}&to=${to}`, token);
        expect(res.status).toBe(200);
        expect(verifyConsistency(from, to, fromHex(res.body.from_root), fromHex(res.body.to_root), res.body.proof.map(fromBase64))).toBe(true);
      }
    }
    const res = await h.get('/v1/log/3/proof/consistency?from=6', token);
    expect(res.body.to).toBe(70);
    const wrong = await h.get('/v1/log/3/proof/consistency?from=6&to=33', token);
    expect(verifyConsistency(6, 33, fromHex(res.body.from_root), fromHex(res.body.to_root), wrong.body.proof.map(fromBase64))).toBe(false);
  });

  it('refuse sizes beyond the latest checkpoint, bad parameters, unknown shards and missing tokens', async () => {
    const cases: [string, number, string | undefined][] = [
      ['/v1/log/3/proof/inclusion?index=0&size=71', 400, 'size'],
      ['/v1/log/3/proof/inclusion?index=70', 400, 'index'],
      ['/v1/log/3/proof/inclusion', 400, 'index'],
      ['/v1/log/3/proof/inclusion?index=-1', 400, 'index'],
      ['/v1/log/3/proof/consistency?from=5&to=71', 400, 'to'],
      ['/v1/log/3/proof/consistency?from=40&to=33', 400, 'from'],
      ['/v1/log/3/proof/consistency?from=1&extra=2', 400, 'extra'],
      ['/v1/log/x/checkpoint', 400, 'shard'],
      ['/v1/log/99/checkpoint', 404, 'shard'],
      ['/v1/log/99/proof/inclusion?index=0', 404, 'shard'],
    ];
    for (const [url, status, parameter] of cases) {
      const res = await h.get(url, token);
      expect(res.status, url).toBe(status);
      expect(res.body.error.parameter, url).toBe(parameter);
    }
    expect((await h.get('/v1/log/3/checkpoint')).status).toBe(401);
  });

  it('refuse to serve proofs when stored leaves disagree with the signed checkpoint, or are still missing', async () => {
    await h.factory.notarize(4, [{ tenant: 'acme', modelId: 'm', occurredAt: new Date() }]);
    const good = await h.get('/v1/log/4/checkpoint', token);
    // A checkpoint row whose root the leaves do not give.
    await h.warehouse.insert(TABLES.checkpoints, [{ shard: 4, size: 1, root_hash_hex: 'cd'.repeat(32), signed_note: good.body.signed_note, created_at: new Date().toISOString() }]);
    await h.warehouse.insert(TABLES.checkpoints, [{ shard: 5, size: 2, root_hash_hex: 'cd'.repeat(32), signed_note: 'x', created_at: new Date().toISOString() }]);
    const missing = await h.get('/v1/log/5/proof/inclusion?index=0', token);
    expect(missing.status).toBe(503);
    expect(missing.body.error.code).toBe('LOG_NOT_READY');
    await h.warehouse.exec(`DELETE FROM ${TABLES.checkpoints} WHERE shard = 4 AND root_hash != unhex({r:String})`, { r: good.body.root_hash });
    const ok = await h.get('/v1/log/4/proof/inclusion?index=0', token);
    expect(ok.status).toBe(200);
    await h.warehouse.insert(TABLES.checkpoints, [{ shard: 4, size: 2, root_hash_hex: 'cd'.repeat(32), signed_note: 'x', created_at: new Date().toISOString() }]);
    await h.warehouse.insert(TABLES.logLeaves, [{ shard: 4, leaf_index: 1, leaf_hash_hex: 'ef'.repeat(32), content_hash_hex: 'ef'.repeat(32), tenant: 'acme', appended_at: new Date().toISOString() }]);
    const inconsistent = await h.get('/v1/log/4/proof/inclusion?index=0', token);
    expect(inconsistent.status).toBe(500);
    expect(inconsistent.body.error.code).toBe('LOG_INCONSISTENT');
  });
});
