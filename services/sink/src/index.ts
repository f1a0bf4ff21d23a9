export { Sink } from './sink.js';
export type { SinkOptions, SinkStats } from './sink.js';
export { createSink } from './create-sink.js';
export { loadSinkConfig, sinkEnvShape } from './config.js';
export type { SinkConfig } from './config.js';
export { mapSignedBatch } from './rows.js';
export type { MappedBatch, Poison, PoisonReason } from './rows.js';
export type { CheckpointInfo } from './rows.js';
export { writeBatch } from './writer.js';
