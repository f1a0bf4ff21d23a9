import type { Queue } from 'bullmq';

/**
 * The monitoring agent version the last completed calibration run of a
 * study saw, kept in Redis beside the queue: the trigger check compares the
 * evidence against it.
 */
function key(queue: Queue, studyId: string): string {
  return queue.toKey(`study:${studyId}:agent_version`);
}

export async function lastCalibratedAgentVersion(queue: Queue, studyId: string): Promise<string | null> {
  return (await queue.client).get(key(queue, studyId));
}

export async function recordCalibratedAgentVersion(queue: Queue, studyId: string, version: string): Promise<void> {
  await (await queue.client).set(key(queue, studyId), version);
}
