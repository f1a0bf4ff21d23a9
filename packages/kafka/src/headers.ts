import type { IHeaders } from 'kafkajs';

/** Message header names Probity sets; all values are UTF-8 strings. */
export const HEADER = {
  tenant: 'probity-tenant',
  /** On a signed batch or a raw pack: how many records it holds (counting needs no parsing). */
  recordCount: 'probity-record-count',
  emitterSignature: 'probity-emitter-envelope',
  /** An emitter's signature over a batch of records, with this record's inclusion proof (see EmitterBatchStatement). */
  emitterBatch: 'probity-emitter-batch',
  /**
   * On the last signed batch of a notary transaction: the raw-topic offset after the transaction's raw
   * messages. With the batch's checkpoint it is the shard's committed state (see the notary's recovery).
   */
  sourceNextOffset: 'probity-source-next-offset',
  dlqReason: 'probity-dlq-reason',
  dlqDetail: 'probity-dlq-detail',
  dlqSourceTopic: 'probity-dlq-source-topic',
  dlqSourcePartition: 'probity-dlq-source-partition',
  dlqSourceOffset: 'probity-dlq-source-offset',
  /** On a DLQ message taken out of a raw pack: the record's position in the pack at the source offset. */
  dlqSourcePackIndex: 'probity-dlq-source-pack-index',
  /**
   * On a raw message re-sent from the DLQ (`probity dlq replay`): the DLQ entry's id (`<partition>:<offset>`),
   * so a replay can be told from a first emission (reconciliation counts them).
   */
  dlqReplayOf: 'probity-dlq-replay-of',
} as const;

export function headerString(headers: IHeaders | Record<string, string> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
