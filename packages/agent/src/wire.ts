/**
 * The wire contract with the notary, in one place.
 *
 * A record travels as a Kafka message of its own (below), or as one entry of
 * a raw pack (`io.probity.wire.RawPack`, see `encodeRawPack` in
 * @probity/evidence): the SDK packs each partition's records of a send into
 * one message, every entry carrying the value and headers it would have had
 * alone, in the partition its key (content hash) hashes to. The notary reads
 * both the same way.
 *
 * - value: the record's Avro single-object encoding, exactly as
 *   `SchemaRegistry.encode` returns it;
 * - key: the content hash (lowercase hex SHA-256 of the value), so duplicates
 *   meet in one partition, i.e. one log shard;
 * - headers: `probity-tenant` and, when the emitter signs, one of
 *   - `probity-emitter-batch` (the default): the JSON
 *     `{"payload","signatures","index","proof"}` of a DSSE envelope over an
 *     emitter batch statement (byte-exact `{"v":1,"tenant","size","root"}`)
 *     and this record's inclusion proof in its tree (see
 *     EmitterBatchStatement in @probity/evidence);
 *   - `probity-emitter-envelope` (signer mode `record`): the JSON of a DSSE
 *     signatures array `[{"keyid","sig"}]` over PAE(EVIDENCE_PAYLOAD_TYPE,
 *     value). The value is the DSSE payload; the notary rebuilds the
 *     envelope from value + header.
 */
export const EVIDENCE_PAYLOAD_TYPE = 'application/vnd.probity.evidence+avro';
