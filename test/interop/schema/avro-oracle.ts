import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

/**
 * The Apache Avro Java library (the reference implementation) behind a JSON
 * line protocol: see java/src/main/java/io/probity/interop/AvroOracle.java.
 * One JVM serves a whole test file; requests are answered in order.
 */
export class AvroOracle {
  private readonly pending: Array<(line: string) => void> = [];
  private readonly lines: Interface;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static start(): AvroOracle {
    const home = join(process.env['PROBITY_CACHE_DIR'] ?? join(homedir(), '.cache', 'probity'), 'avro-java');
    if (!existsSync(join(home, 'classes', 'io', 'probity', 'interop', 'AvroOracle.class'))) {
      throw new Error(`The Apache Avro oracle is not installed in ${home}. Run: bash infra/interop/install-schema.sh`);
    }
    const child = spawn('java', ['-cp', `${join(home, 'classes')}:${join(home, 'libs')}/*`, 'io.probity.interop.AvroOracle'], { stdio: 'pipe' });
    return new AvroOracle(child);
  }

  async request<T extends Record<string, unknown>>(body: Record<string, unknown>): Promise<T> {
    const answer = await new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`AvroOracle exited (${code}): ${this.stderr}`));
      this.child.once('exit', onExit);
      this.pending.push((line) => {
        this.child.off('exit', onExit);
        resolve(line);
      });
      this.child.stdin.write(`${JSON.stringify(body)}\n`);
    });
    const parsed = JSON.parse(answer) as T & { error?: string };
    if (parsed.error) throw new Error(`AvroOracle: ${parsed.error}`);
    return parsed;
  }

  canonical(schemaText: string): Promise<{ canonical: string; fingerprint: string; fingerprint64: string }> {
    return this.request({ op: 'canonical', schema: schemaText });
  }

  /** Decodes single-object bytes with BinaryMessageDecoder; answers the record in Avro's JSON encoding. */
  async decode(writerSchemas: string[], readerSchema: string, bytes: Buffer): Promise<unknown> {
    const { json } = await this.request<{ json: string }>({ op: 'decode', schemas: writerSchemas, reader: readerSchema, bytes: bytes.toString('hex') });
    return JSON.parse(json);
  }

  /** Encodes a record given in Avro's JSON encoding with BinaryMessageEncoder. */
  async encode(schema: string, avroJson: unknown): Promise<Buffer> {
    const { bytes } = await this.request<{ bytes: string }>({ op: 'encode', schema, json: JSON.stringify(avroJson) });
    return Buffer.from(bytes, 'hex');
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    await exited;
    this.lines.close();
  }
}
