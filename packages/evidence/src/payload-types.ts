/** DSSE payload type of an emitter's signature: the payload is the record's single-object bytes. */
export const EMITTER_PAYLOAD_TYPE = 'application/vnd.probity.evidence+avro';

/** DSSE payload type of an emitter's signature over many records: the payload is an `EmitterBatchStatement`. */
export const EMITTER_BATCH_PAYLOAD_TYPE = 'application/vnd.probity.emitter-batch.v1+json';
