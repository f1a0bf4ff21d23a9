/** DSSE payload type of an emitter's signature: the payload is the record's single-object bytes. */
export const EMITTER_PAYLOAD_TYPE = 'application/vnd.probity.evidence+avro';
