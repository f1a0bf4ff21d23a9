import { createLogger } from '@probity/logger';
import { loadLocalConfig, startLocalStack } from '@probity/local';

/**
 * The notary and the sink in one process on one chDB directory, started by
 * the same code as `probity up` (startLocalStack) without the gateway, the
 * scheduler and the API, so the crash-loop test can SIGKILL it as a whole.
 */
const config = loadLocalConfig();
const logger = createLogger('notary-and-sink', config.LOG_LEVEL);
const stack = await startLocalStack(config, logger);
process.on('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
process.stdout.write('stack ready\n');
