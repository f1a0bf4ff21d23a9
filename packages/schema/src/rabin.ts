/**
 * CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification defines
 * for schema fingerprints ("Schema Fingerprints" section). BigInt keeps the
 * arithmetic exact; schemas are fingerprinted once at start, so speed is moot.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
    }
    table.push(fp & MASK);
  }
  return table;
})();

/** The fingerprint as an unsigned 64-bit integer. */
export function rabin64(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  }
  return fp;
}

/** The 8 bytes that single-object encoding carries: the fingerprint, little-endian. */
export function rabin64Bytes(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(rabin64(bytes));
  return out;
}
