import { loadCommonConfig } from '@probity/config';
import { probeKafka, probeRedis } from '@probity/cli';

/**
 * Integration tests share one Kafka and one Redis, started by `npm test`
 * (infra/test.sh) or `bash infra/up.sh`. This checks they answer and fails
 * fast, saying what to run, instead of letting every test time out.
 */
export default async function setup(): Promise<void> {
  const config = loadCommonConfig();
  const [kafka, redis] = await Promise.all([probeKafka(config.KAFKA_BROKERS, 3000), probeRedis(config.REDIS_URL, 3000)]);
  const down = [kafka, redis].filter((c) => !c.healthy);
  if (down.length > 0) {
    const lines = down.map((c) => `  - ${c.component} at ${c.target}: ${c.message}`);
    throw new Error(
      `Integration tests need Kafka and Redis running:\n${lines.join('\n')}\n` +
        'Start them with `bash infra/up.sh` (then `npx vitest run`), or run everything with `npm test`.',
    );
  }
}
