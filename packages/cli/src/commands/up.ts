import { loadCommonConfig } from '@probity/config';
import { createKafka, ensureTopics } from '@probity/kafka';
import { defineCommand } from '../command.js';
import { runScriptOrFail, scriptNote } from '../infra-scripts.js';
import { apiBaseUrl, runtimePaths, servicesExpected } from '../paths.js';
import { step } from '../progress.js';
import { startServices } from '../services-process.js';

export const up = defineCommand({
  name: 'up',
  summary: 'Start local Kafka and Redis, create the topics, start the local services',
  description:
    'Starts the local stack: Kafka (KRaft, one node) and Redis via infra/, creates the evidence topics, then the local services process (notary, sink, audit API, gateway, scheduler) when this checkout has one. Idempotent: running parts are left as they are. Install first with `bash infra/install.sh --no-interop`.',
  async run({ io }) {
    const env = io.env;
    const config = loadCommonConfig(env);
    const childEnv = { ...env, PROBITY_DATA_DIR: config.PROBITY_DATA_DIR };
    await step(io, 'starting Kafka', () => runScriptOrFail('kafka.sh', ['start'], childEnv), scriptNote);
    await step(io, 'starting Redis', () => runScriptOrFail('redis.sh', ['start'], childEnv), scriptNote);
    const topics = await step(
      io,
      'creating topics',
      () => ensureTopics(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'probity-cli' }), config.PROBITY_TOPIC_PARTITIONS),
      (r) => `${r.created.length} created, ${r.existing.length} existing`,
    );
    const lines = [`kafka    ${config.KAFKA_BROKERS.join(',')}`, `redis    ${config.REDIS_URL}`, `topics   ${[...topics.created, ...topics.existing.map((t) => t.name)].join(', ')}`];
    if (servicesExpected()) {
      const services = await step(
        io,
        'starting services',
        () => startServices({ dataDir: config.PROBITY_DATA_DIR, env: childEnv }),
        (r) => (r.alreadyRunning ? `already running, pid ${r.pid}` : `pid ${r.pid}`),
      );
      lines.push(`services ${apiBaseUrl(env)} (pid ${services.pid}, log ${runtimePaths(config.PROBITY_DATA_DIR).servicesLog})`);
    }
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
});
