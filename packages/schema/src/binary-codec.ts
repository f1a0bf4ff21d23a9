import { Type } from './avsc.js';
import { scanBody } from './body-scanner.js';
import type { SchemaJson } from './canonical-form.js';

export interface BinaryCodec<T> {
  encode(value: T): Buffer;
  /** Throws a plain Error naming the problem if the bytes are not one whole value of the schema. */
  decode(bytes: Buffer): T;
}

/**
 * Avro binary for Probity's own message formats (not evidence records, which
 * use single-object encoding and the registry). Bytes are scanned against the
 * schema before avsc builds a value, so a corrupt or hostile message cannot
 * make the decoder allocate what its lengths claim.
 */
export function avroBinaryCodec<T>(schema: SchemaJson): BinaryCodec<T> {
  const type = Type.forSchema(schema as never);
  return {
    encode: (value) => type.toBuffer(value),
    decode: (bytes) => {
      const end = scanBody(type, bytes);
      if (end !== bytes.length) throw new Error(`${bytes.length - end} trailing bytes after the value`);
      return type.fromBuffer(bytes) as T;
    },
  };
}
