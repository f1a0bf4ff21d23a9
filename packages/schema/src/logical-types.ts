import { Type, types, type AvroType } from './avsc.js';

/**
 * Logical types are registered only so the parsed type tree remembers them
 * (`typeName` = `logical:timestamp-micros`): semantic checks and the JSON
 * mapping find timestamps and UUIDs from the schema, not from field names.
 * Values stay in their underlying Avro form (epoch microseconds as a number,
 * UUID as a string), so nothing is converted on the wire.
 */
abstract class PassThroughLogicalType extends types.LogicalType {
  protected abstract readonly underlyingName: string;

  protected override _fromValue(value: unknown): unknown {
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return value;
  }

  protected override _resolve(writer: AvroType): ((value: unknown) => unknown) | undefined {
    if (Type.isType(writer, this.underlyingName, this.typeName)) return (value) => value;
    return undefined;
  }
}

export class TimestampMicrosType extends PassThroughLogicalType {
  protected readonly underlyingName = 'long';
}

export class UuidType extends PassThroughLogicalType {
  protected readonly underlyingName = 'string';
}

export const LOGICAL_TYPES = {
  'timestamp-micros': TimestampMicrosType,
  uuid: UuidType,
} as const;

export function isTimestampMicros(type: AvroType): boolean {
  return type.typeName === 'logical:timestamp-micros';
}

export function isUuid(type: AvroType): boolean {
  return type.typeName === 'logical:uuid';
}
