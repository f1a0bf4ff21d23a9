import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Engine configuration the embedded engine loads (clickhouse-local
 * `--config-file`). A ClickHouse server needs the same `<rocksdb>` section in
 * its config.d (see README, "Operations").
 *
 * Bloom filters on the EmbeddedRocksDB point-lookup table: without a filter
 * policy (the engine's default) a Get reads a data block in every level
 * whose key range covers the key, hitting the disk several times per
 * lookup once the table outgrows the page cache; with 10 bits per key (~1%
 * false positives, ~12 MB per 10^7 keys) it reads one block.
 */
export const ENGINE_CONFIG_XML = `<clickhouse>
  <rocksdb>
    <block_based_table_options>
      <filter_policy>bloomfilter:10:false</filter_policy>
    </block_based_table_options>
  </rocksdb>
</clickhouse>
`;

export const ENGINE_CONFIG_FILE = 'probity-engine.xml';

/** Writes the engine config into the data dir (atomically, only when it changed); returns its path. */
export function writeEngineConfig(dataDir: string): string {
  const file = path.join(dataDir, ENGINE_CONFIG_FILE);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== ENGINE_CONFIG_XML) {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, ENGINE_CONFIG_XML);
    renameSync(temporary, file);
  }
  return file;
}
