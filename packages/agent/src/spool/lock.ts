import { open, readFile, unlink } from 'node:fs/promises';
import { EmitError } from '../errors.js';

/**
 * One emitter process per spool directory: two writers appending to the same
 * segments would interleave frames and replay each other's records. The lock
 * is a file holding the owner's pid; a lock whose pid is dead (the owner was
 * SIGKILLed) is stale and taken over, so a crashed emitter never blocks the
 * one that replays its spool.
 */
export async function acquireSpoolLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EmitError('SPOOL_FAILED', `cannot create the spool lock ${lockPath}: ${(err as Error).message}`, { cause: err });
      }
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new EmitError('SPOOL_FAILED', `the spool ${lockPath} is in use by process ${owner}; give this emitter another name`, {
        details: { lockPath, owner },
      });
    }
    await unlink(lockPath).catch(() => undefined);
  }
  throw new EmitError('SPOOL_FAILED', `could not take the spool lock ${lockPath}`, { details: { lockPath } });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
