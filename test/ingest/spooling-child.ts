/**
 * Child process for the crash test: emits manifests as fast as it can and
 * prints each content hash only after its emit resolved. The parent SIGKILLs
 * it mid-stream; every printed hash must reach Kafka later.
 * argv: <dataDir> <emitterName> <topic>
 */
import { createEmitter } from '@probity/agent';
import { loadCommonConfig } from '@probity/config';
import { sampleManifest } from './ingest-helpers.js';

const [dataDir, name, topic] = process.argv.slice(2);
if (!dataDir || !name || !topic) throw new Error('usage: spooling-child <dataDir> <name> <topic>');

const emitter = await createEmitter({ name, dataDir, topic, brokers: loadCommonConfig().KAFKA_BROKERS, lingerMs: 2, maxBatchMessages: 50 });
process.stderr.write('ready\n');
let index = 0;
// Eight writers keep appends overlapping, so the kill lands mid-append sometimes.
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (;;) {
      const result = await emitter.emit(sampleManifest(index++), { format: 'json' });
      process.stdout.write(`${result.durable} ${result.contentHash}\n`);
    }
  }),
);
