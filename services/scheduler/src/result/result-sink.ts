import type { StudyResultJson } from './study-result.js';
import type { IncidentJson } from './escalation.js';

/**
 * Where study results and the incidents they raise go. The production sink
 * is the agent's emitter (Avro → Kafka → notary → warehouse); the notary
 * dedupes by content hash, so publishing the same result twice (a retried
 * or recovered job) stores it once.
 */
export interface ResultSink {
  publish(result: StudyResultJson): Promise<{ contentHash: string }>;
  publishIncident(incident: IncidentJson): Promise<{ contentHash: string }>;
}

/** The part of `@probity/agent`'s Emitter a sink needs. */
export interface RecordEmitter {
  emit(recordType: string, value: unknown, options?: { format?: 'avro' | 'json' }): Promise<{ contentHash: string }>;
}

/** Publishes the JSON form through an `@probity/agent` emitter (which validates it against the schema): resolves once the record is durable (in Kafka or the local spool). */
export function emitterResultSink(emitter: RecordEmitter): ResultSink {
  return {
    publish: async (result) => ({ contentHash: (await emitter.emit('StudyResult', result, { format: 'json' })).contentHash }),
    publishIncident: async (incident) => ({ contentHash: (await emitter.emit('Incident', incident, { format: 'json' })).contentHash }),
  };
}
