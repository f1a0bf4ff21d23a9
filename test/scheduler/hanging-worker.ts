// Child process for the killed-worker test: takes one study run, says so on
// stdout, then hangs until the test kills it with SIGKILL.
import { Worker } from 'bullmq';
import { redisOptionsFromUrl } from '@probity/scheduler';

const [queueName, redisUrl] = process.argv.slice(2);
const worker = new Worker(
  queueName!,
  async (job) => {
    process.stdout.write(`active ${job.id}\n`);
    await new Promise(() => undefined);
  },
  { connection: redisOptionsFromUrl(redisUrl!), lockDuration: 2_000, stalledInterval: 1_000 },
);
worker.on('error', () => undefined);
await worker.waitUntilReady();
process.stdout.write('ready\n');
