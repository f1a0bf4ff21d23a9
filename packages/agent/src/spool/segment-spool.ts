import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { EmitError } from '../errors.js';
import { encodeFrame, readFrame, type SpooledMessage } from './frame.js';
import { acquireSpoolLock } from './lock.js';

/** A position in the spool: the next frame to replay is at `offset` of segment `segment`. */
export interface SpoolCursor {
  segment: number;
  offset: number;
}

export interface SpoolReadResult {
  messages: SpooledMessage[];
  /** Where the read after these messages starts; ack it once they are in Kafka. */
  next: SpoolCursor;
}

export interface SegmentSpoolOptions {
  /** Start a new segment once the current one holds this many bytes. @defaultValue 4 MiB */
  segmentBytes?: number;
}

export interface SpoolStats {
  segments: number;
  bytes: number;
  /** Frames dropped because their CRC or length did not check out (torn tails after a crash). */
  corruptFrames: number;
}

interface Segment {
  id: number;
  file: string;
  /** Bytes known to hold whole frames (our own segments) or the file size (an earlier process's, whose tail may be torn). */
  size: number;
}

const SEGMENT_PATTERN = /^seg-(\d{12})\.spool$/;
const CURSOR_FILE = 'cursor.json';
const LOCK_FILE = 'lock';
const REJECTED_FILE = 'rejected.spool';

const segmentName = (id: number) => `seg-${String(id).padStart(12, '0')}.spool`;

/**
 * Append-only local spool: the durable place for evidence while Kafka is
 * unreachable. Records are framed with a CRC (see frame.ts), appended in
 * batches with one fdatasync per batch, and replayed in order. A segment is
 * deleted only when every record in it is acked by Kafka. The replay cursor
 * is persisted best-effort: losing it only replays records again, which the
 * notary deduplicates by content hash.
 *
 * Mutations (append, ack, clear) run one at a time; reads never see a frame
 * before its fdatasync finished, because a segment's `size` only grows after it.
 */
export class SegmentSpool {
  private readonly segments: Segment[] = [];
  private writer: { segment: Segment; handle: FileHandle } | null = null;
  private mutations: Promise<unknown> = Promise.resolve();
  private corruptFrames = 0;
  private closed = false;
  /** Segment ids only grow, even across clear(), so a half-deleted old file can never collide with a new one. */
  private lastSegmentId = 0;

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
    private readonly releaseLock: () => Promise<void>,
    private startCursor: SpoolCursor,
  ) {}

  static async open(dir: string, options: SegmentSpoolOptions = {}): Promise<SegmentSpool> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new EmitError('SPOOL_FAILED', `cannot create the spool directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const release = await acquireSpoolLock(path.join(dir, LOCK_FILE));
    try {
      const names = (await readdir(dir)).filter((n) => SEGMENT_PATTERN.test(n)).sort();
      const cursor = await readCursor(dir);
      const spool = new SegmentSpool(dir, options.segmentBytes ?? 4 * 1024 * 1024, release, cursor ?? { segment: 0, offset: 0 });
      for (const name of names) {
        const file = path.join(dir, name);
        const id = Number(SEGMENT_PATTERN.exec(name)![1]);
        spool.segments.push({ id, file, size: (await stat(file)).size });
      }
      spool.lastSegmentId = Math.max(spool.segments.at(-1)?.id ?? 0, spool.startCursor.segment);
      return spool;
    } catch (err) {
      await release();
      throw err instanceof EmitError ? err : new EmitError('SPOOL_FAILED', `cannot open the spool ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Where replay starts: the persisted cursor of an earlier process, or the beginning. */
  get start(): SpoolCursor {
    return this.startCursor;
  }

  isEmpty(): boolean {
    return this.segments.every((s) => s.size === 0);
  }

  /** True when nothing is left to read after `cursor`. */
  isCaughtUp(cursor: SpoolCursor): boolean {
    return this.segments.every((s) => s.id < cursor.segment || (s.id === cursor.segment && s.size <= cursor.offset) || s.size === 0);
  }

  stats(): SpoolStats {
    return { segments: this.segments.length, bytes: this.segments.reduce((sum, s) => sum + s.size, 0), corruptFrames: this.corruptFrames };
  }

  /** Append messages durably: resolves only after their bytes are fdatasync'ed. */
  append(messages: readonly SpooledMessage[]): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen();
      const frames = messages.map(encodeFrame);
      const bytes = frames.reduce((sum, f) => sum + f.length, 0);
      const writer = await this.writerFor();
      const before = writer.segment.size;
      try {
        await writer.handle.writev(frames, before);
        await writer.handle.datasync();
      } catch (err) {
        // A partial write would leave garbage that hides every later frame: cut it off and start a fresh segment.
        await writer.handle.truncate(before).catch(() => undefined);
        await this.sealWriter();
        throw new EmitError('SPOOL_FAILED', `cannot append to the spool ${this.dir}: ${(err as Error).message}`, { cause: err, details: { dir: this.dir } });
      }
      writer.segment.size = before + bytes;
      if (writer.segment.size >= this.segmentBytes) await this.sealWriter();
    });
  }

  /** Read whole frames after `cursor`, in order, up to the limits (at least one frame if any). */
  async read(cursor: SpoolCursor, limits: { maxMessages: number; maxBytes: number }): Promise<SpoolReadResult> {
    this.assertOpen();
    let at = { ...cursor };
    for (;;) {
      const segment = this.segments.find((s) => s.id >= at.segment);
      if (!segment) return { messages: [], next: at };
      if (segment.id !== at.segment) at = { segment: segment.id, offset: 0 };
      if (at.offset >= segment.size) {
        const later = this.segments.find((s) => s.id > segment.id);
        if (!later) return { messages: [], next: at };
        at = { segment: later.id, offset: 0 };
        continue;
      }
      const messages = await this.readSegment(segment, at.offset, limits);
      if (messages.messages.length > 0) return { messages: messages.messages, next: { segment: segment.id, offset: messages.end } };
      // Nothing readable: the rest of this segment was corrupt and is now cut off; move on.
    }
  }

  /**
   * Record that everything before `cursor` is in Kafka: delete the segments
   * wholly before it and persist the cursor so a restart does not replay them.
   */
  ack(cursor: SpoolCursor): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen();
      const done = this.segments.filter((s) => s.id < cursor.segment && s !== this.writer?.segment);
      for (const segment of done) {
        await unlink(segment.file).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        this.segments.splice(this.segments.indexOf(segment), 1);
      }
      this.startCursor = cursor;
      await writeCursor(this.dir, cursor).catch(() => undefined);
    });
  }

  /** Delete every segment whose records are all before `cursor`; used when replay has caught up. */
  clear(cursor: SpoolCursor): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen();
      if (!this.isCaughtUp(cursor)) return;
      await this.sealWriter();
      for (const segment of this.segments.splice(0)) await unlink(segment.file).catch(() => undefined);
      this.startCursor = { segment: 0, offset: 0 };
      await unlink(path.join(this.dir, CURSOR_FILE)).catch(() => undefined);
    });
  }

  /**
   * Keep messages Kafka refused for good (e.g. larger than the broker accepts)
   * in `rejected.spool`, same framing, so replay can move on without dropping
   * evidence silently; an operator inspects the file.
   */
  quarantine(messages: readonly SpooledMessage[]): Promise<string> {
    return this.exclusive(async () => {
      const file = path.join(this.dir, REJECTED_FILE);
      const handle = await open(file, 'a');
      try {
        await handle.writev(messages.map(encodeFrame));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      return file;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      await this.sealWriter();
      this.closed = true;
    });
    await this.releaseLock();
  }

  private async readSegment(segment: Segment, offset: number, limits: { maxMessages: number; maxBytes: number }): Promise<{ messages: SpooledMessage[]; end: number }> {
    const handle = await open(segment.file, 'r');
    try {
      let want = Math.min(limits.maxBytes, segment.size - offset);
      for (;;) {
        const buffer = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buffer, 0, want, offset);
        const chunk = buffer.subarray(0, bytesRead);
        // The file is shorter than we believed (truncated behind our back): trust only what is there.
        if (bytesRead < want) segment.size = offset + bytesRead;
        const messages: SpooledMessage[] = [];
        let at = 0;
        while (messages.length < limits.maxMessages && at < chunk.length) {
          const result = readFrame(chunk, at);
          if (result.kind === 'frame') {
            messages.push(result.message);
            at += result.bytes;
            continue;
          }
          if (result.kind === 'incomplete' && offset + at + result.needBytes <= segment.size) {
            // The frame is whole on disk but larger than this chunk.
            if (messages.length === 0 && result.needBytes > want) {
              want = result.needBytes;
              break;
            }
            return { messages, end: offset + at };
          }
          // Torn tail or corruption: the records after this point never had their emit resolved.
          this.corruptFrames += 1;
          segment.size = offset + at;
          return { messages, end: offset + at };
        }
        if (messages.length > 0 || at >= chunk.length) return { messages, end: offset + at };
      }
    } finally {
      await handle.close();
    }
  }

  private async writerFor(): Promise<{ segment: Segment; handle: FileHandle }> {
    if (this.writer) return this.writer;
    // Never append to a segment an earlier process wrote: its tail may be torn.
    const id = ++this.lastSegmentId;
    const file = path.join(this.dir, segmentName(id));
    const handle = await open(file, 'wx');
    await syncDirectory(this.dir);
    const segment: Segment = { id, file, size: 0 };
    this.segments.push(segment);
    this.writer = { segment, handle };
    return this.writer;
  }

  private async sealWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    await writer?.handle.close().catch(() => undefined);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutations.then(fn, fn);
    this.mutations = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new EmitError('SPOOL_FAILED', `the spool ${this.dir} is closed`);
  }
}

async function readCursor(dir: string): Promise<SpoolCursor | null> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, CURSOR_FILE), 'utf8')) as Partial<SpoolCursor>;
    if (Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset)) return { segment: parsed.segment!, offset: parsed.offset! };
    return null;
  } catch {
    return null;
  }
}

async function writeCursor(dir: string, cursor: SpoolCursor): Promise<void> {
  const tmp = path.join(dir, `${CURSOR_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(cursor));
  await rename(tmp, path.join(dir, CURSOR_FILE));
}

/** Make a new segment's directory entry durable, or a crash could lose the whole file. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
