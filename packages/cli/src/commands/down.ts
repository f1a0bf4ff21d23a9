import { loadCommonConfig } from '@probity/config';
import { defineCommand } from '../command.js';
import { runScriptOrFail, scriptNote } from '../infra-scripts.js';
import { step } from '../progress.js';
import { stopServices } from '../services-process.js';

export const down = defineCommand({
  name: 'down',
  summary: 'Stop the local services, Kafka and Redis (gracefully; data is kept)',
  description: 'Stops what `probity up` started, services first so they can commit their work, then Kafka and Redis. Data under PROBITY_DATA_DIR is kept.',
  async run({ io }) {
    const config = loadCommonConfig(io.env);
    const childEnv = { ...io.env, PROBITY_DATA_DIR: config.PROBITY_DATA_DIR };
    await step(io, 'stopping services', () => stopServices(config.PROBITY_DATA_DIR), (r) => r.replace('-', ' '));
    await step(io, 'stopping Kafka', () => runScriptOrFail('kafka.sh', ['stop'], childEnv), scriptNote);
    await step(io, 'stopping Redis', () => runScriptOrFail('redis.sh', ['stop'], childEnv), scriptNote);
    return 0;
  },
});
