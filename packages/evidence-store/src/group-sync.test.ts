import { describe, expect, it } from 'vitest';
import { GroupSync } from './group-sync.js';

/** A sync whose calls finish when the test says so. */
function controlledSync() {
  const calls: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const sync = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, sync };
}

const settled = async <T>(promise: Promise<T>) => promise.then(() => 'ok' as const, (err: Error) => err.message);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupSync', () => {
  it('shares one sync among the requests that arrive while another runs', async () => {
    const { calls, sync } = controlledSync();
    const group = new GroupSync(sync);
    const first = group.request();
    const [second, third] = [group.request(), group.request()];
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await first;
    await tick();
    // The second and third were written after the first sync started: one more sync covers both.
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    expect(await Promise.all([settled(second), settled(third)])).toEqual(['ok', 'ok']);
  });

  it('fails every waiting and later request after a sync fails, even if a later sync would succeed', async () => {
    const { calls, sync } = controlledSync();
    const group = new GroupSync(sync);
    const first = group.request();
    const waiting = group.request();
    calls[0]!.reject(new Error('EIO'));
    expect(await settled(first)).toBe('EIO');
    expect(await settled(waiting)).toBe('EIO');
    expect(await settled(group.request())).toBe('EIO');
    // No sync ran after the failure: its success would not have meant the data is on disk.
    expect(calls).toHaveLength(1);
  });
});
