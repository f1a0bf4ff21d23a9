import { encodeRawPack, RAW_PACK_MAX_MESSAGES, rawPackMessageSize, rawPackOverhead } from '@probity/evidence';
import { HEADER, partitionForKey, type Message } from '@probity/kafka';
import type { SpooledMessage } from './spool/frame.js';

/**
 * The Kafka messages for one send: per partition (of each record's key, the
 * content hash, as Kafka's default partitioner would choose it), runs of
 * records in send order packed into raw packs of at most `maxPackBytes` (and
 * RAW_PACK_MAX_MESSAGES records). A
 * run of one record, or a record too large for any pack, goes as a message of
 * its own, exactly as an unpacked emitter sends it. Order within a partition
 * is kept; Kafka keeps no order across partitions anyway.
 */
export function packByPartition(messages: readonly SpooledMessage[], partitions: number, maxPackBytes: number): Message[] {
  const byPartition = new Map<number, SpooledMessage[]>();
  for (const message of messages) {
    const partition = partitionForKey(message.key, partitions);
    let list = byPartition.get(partition);
    if (!list) byPartition.set(partition, (list = []));
    list.push(message);
  }
  const out: Message[] = [];
  for (const [partition, list] of byPartition) {
    let run: SpooledMessage[] = [];
    let runBytes = 0;
    const flush = () => {
      if (run.length === 1) out.push(single(run[0]!, partition));
      else if (run.length > 1) out.push({ key: null, value: encodeRawPack(run), partition, headers: { [HEADER.recordCount]: String(run.length) } });
      run = [];
      runBytes = 0;
    };
    for (const message of list) {
      const size = rawPackMessageSize(message);
      if (run.length === RAW_PACK_MAX_MESSAGES || (run.length > 0 && runBytes + size + rawPackOverhead(run.length + 1) > maxPackBytes)) flush();
      run.push(message);
      runBytes += size;
    }
    flush();
  }
  return out;
}

const single = (m: SpooledMessage, partition: number): Message => ({ key: m.key, value: m.value, headers: m.headers, partition });
