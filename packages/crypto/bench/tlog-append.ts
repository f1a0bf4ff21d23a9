/**
 * Times appending N leaf hashes to an in-memory stored-hash log and serving
 * proofs from it. Prints figures; asserts nothing (see STYLE.md: no timed tests).
 *
 *   npx tsx packages/crypto/bench/tlog-append.ts [N=1000000]
 */
import { performance } from 'node:perf_hooks';
import { leafHash, proveRecord, proveTree, storedHashCount, storedHashesForRecord, treeHash, verifyConsistency, verifyInclusionByHash, type HashReader } from '../src/index.js';

const n = Number(process.argv[2] ?? 1_000_000);
const leafHashes: Uint8Array[] = [];
for (let i = 0; i < n; i++) leafHashes.push(leafHash(new TextEncoder().encode(`record ${i}`)));

const stored: Uint8Array[] = [];
const read: HashReader = (indexes) => indexes.map((i) => stored[i]!);

const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const hashes = storedHashesForRecord(i, leafHashes[i]!, read);
  for (const h of hashes) stored.push(h);
}
const appendMs = performance.now() - t0;

const t1 = performance.now();
const root = treeHash(n, read);
const rootMs = performance.now() - t1;

const proofs = 10_000;
const t2 = performance.now();
let ok = 0;
for (let k = 0; k < proofs; k++) {
  const idx = (k * 7919) % n;
  if (verifyInclusionByHash(leafHashes[idx]!, idx, n, proveRecord(n, idx, read), root)) ok++;
}
const inclusionMs = performance.now() - t2;

const t3 = performance.now();
const old = Math.floor(n * 0.61);
const consistent = verifyConsistency(old, n, treeHash(old, read), root, proveTree(n, old, read));
const consistencyMs = performance.now() - t3;

console.log(JSON.stringify({
  leaves: n,
  storedHashes: stored.length,
  storedHashesPerLeaf: +(stored.length / n).toFixed(3),
  storedHashCountMatches: stored.length === storedHashCount(n),
  appendSeconds: +(appendMs / 1000).toFixed(2),
  appendMicrosPerLeaf: +((appendMs * 1000) / n).toFixed(2),
  treeHashMs: +rootMs.toFixed(3),
  proveAndVerifyInclusionMicros: +((inclusionMs * 1000) / proofs).toFixed(1),
  inclusionVerified: `${ok}/${proofs}`,
  consistencyMs: +consistencyMs.toFixed(3),
  consistent,
  heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
}, null, 2));
