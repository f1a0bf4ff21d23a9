/**
 * Shares fsync-like calls between concurrent writers of one file: a request
 * resolves once everything written before it is durable. A request that
 * arrives while a sync runs waits for the next one, which starts when the
 * running one ends and covers every request that arrived meanwhile.
 *
 * A failure is final for the file. Linux reports a writeback error to one
 * fsync only and marks the failed pages clean, so a later fsync of the same
 * descriptor can succeed without the data ever reaching the disk: after a
 * failure, every waiting and later request fails too, and the writer moves on
 * to a new file.
 */
export class GroupSync {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(private readonly sync: () => Promise<void>) {}

  request(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) {
      this.running = this.sync().then(
        () => {
          this.running = null;
        },
        (err: Error) => {
          this.failure ??= err;
          this.running = null;
          throw this.failure;
        },
      );
      return this.running;
    }
    this.next ??= this.running.then(
      () => {
        this.next = null;
        return this.request();
      },
      (err: Error) => {
        this.next = null;
        throw err;
      },
    );
    return this.next;
  }
}
