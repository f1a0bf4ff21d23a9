/**
 * The catalog of every topic Probity uses: its name, what travels on it and
 * how it is kept. One place to read before adding a topic (trigger.dev's
 * worker-catalog idea applied to Kafka).
 */
export const TOPICS = {
  /** Avro single-object encoded records from emitters; key = content hash (hex) so duplicates meet in one shard. */
  raw: 'probity.evidence.raw',
  /** JSON signed records from the notary (record bytes, statement, proof, checkpoint); partition = log shard. */
  signed: 'probity.evidence.signed',
  /** What could not be accepted: original bytes and headers plus a machine-readable reason. */
  dlq: 'probity.evidence.dlq',
} as const;

export type TopicName = string;

/** The three evidence topics one deployment (or one isolated test) uses. */
export interface EvidenceTopics {
  raw: string;
  signed: string;
  dlq: string;
}

/**
 * Topic names for a namespace: none gives the standard names; a namespace
 * `ns` gives `ns.probity.evidence.raw` etc. Integration tests use a unique
 * namespace each so they never read one another's evidence.
 */
export function evidenceTopics(namespace = ''): EvidenceTopics {
  if (namespace === '') return { ...TOPICS };
  if (!/^[A-Za-z0-9._-]+$/.test(namespace)) throw new RangeError(`invalid topic namespace ${JSON.stringify(namespace)}`);
  return { raw: `${namespace}.${TOPICS.raw}`, signed: `${namespace}.${TOPICS.signed}`, dlq: `${namespace}.${TOPICS.dlq}` };
}

export interface TopicSpec {
  name: TopicName;
  /** Evidence must outlive any consumer lag: topics keep data until deleted by an operator. */
  configEntries: { name: string; value: string }[];
  /** The signed topic must have the raw topic's partition count: shard N of the log lives in partition N of both. */
  partitionsFollowRaw: boolean;
}

const retainForever = [
  { name: 'retention.ms', value: '-1' },
  { name: 'min.insync.replicas', value: '1' },
];

export function topicCatalog(topics: EvidenceTopics = TOPICS): TopicSpec[] {
  return [
    { name: topics.raw, configEntries: retainForever, partitionsFollowRaw: true },
    { name: topics.signed, configEntries: retainForever, partitionsFollowRaw: true },
    // The DLQ is small and must keep every rejected byte for the operator.
    { name: topics.dlq, configEntries: retainForever, partitionsFollowRaw: false },
  ];
}
