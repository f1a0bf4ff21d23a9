import type { RecordType, SchemaRegistry } from '@probity/schema';
import type { RecordDecoder } from './inspect.js';

/** Adapts @probity/schema's registry to what the notary needs. */
export function schemaDecoder(registry: SchemaRegistry): RecordDecoder {
  return {
    decode(bytes) {
      const decoded = registry.decode<Record<string, unknown>>(bytes, { normalize: false });
      return { recordType: decoded.recordType, version: decoded.version, fingerprint: decoded.fingerprint, value: decoded.value };
    },
    semanticIssues(recordType, value, now) {
      return registry.validateSemantics(recordType as RecordType, value, { now });
    },
    quickCheck(bytes, now) {
      return registry.quickCheck(bytes, { now });
    },
  };
}
