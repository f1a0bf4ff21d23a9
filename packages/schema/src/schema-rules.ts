import type { AvroType } from './avsc.js';
import { SchemaError } from './errors.js';
import { isTimestampMicros } from './logical-types.js';
import { SCHEMA_NAMESPACE } from './record-types.js';
import { arrayItems, recordFields } from './type-tree.js';

/**
 * Checks one parsed schema against the rules every Probity record type
 * follows; the notary and the sink read these fields without knowing the type.
 */
export function checkRecordShape(type: AvroType, recordType: string, origin: string): void {
  const fail = (message: string): never => {
    throw new SchemaError('SCHEMA_FILE_INVALID', `${origin}: ${message}`, { details: { origin, recordType } });
  };
  if (type.typeName !== 'record') fail('top-level type must be a record');
  if (type.name !== `${SCHEMA_NAMESPACE}.${recordType}`) fail(`record must be named ${SCHEMA_NAMESPACE}.${recordType}, is ${type.name}`);
  const fields = new Map(recordFields(type).map((field) => [field.name, field.type]));
  if (fields.get('tenant')?.typeName !== 'string') fail('needs a top-level "tenant" string');
  const occurredAt = fields.get('occurred_at');
  if (!occurredAt || !isTimestampMicros(occurredAt)) fail('needs a top-level "occurred_at" long with logicalType timestamp-micros');
  const controls = fields.get('controls');
  if (controls?.typeName !== 'array' || arrayItems(controls).typeName !== 'string') fail('needs a top-level "controls" array of strings');
}
