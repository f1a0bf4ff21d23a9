import type { RawMessage } from './inspect.js';
import type { AcceptedRecord, DlqReason, Outcome } from './outcome.js';
import type { TenantPolicyFile } from './tenant-policy.js';

/**
 * What crosses to and from an inspect worker: message bytes packed into one
 * transferable buffer (no copy per message), outcomes without the bytes (the
 * main thread has them). Pure, so the packing is testable without threads.
 */
export interface InspectRequest {
  id: number;
  nowMs: number;
  /** The main thread's tenant policies, sent when they changed since this worker last had them. */
  policies?: { version: number; file: TenantPolicyFile };
  buffer: ArrayBuffer;
  /** Length of each message value in `buffer`, in order; -1 for a null value. */
  lengths: number[];
  tenantHeaders: (string | null)[];
  signatureHeaders: (string | null)[];
  batchSignatureHeaders: (string | null)[];
}

export type WireOutcome =
  | { kind: 'dlq'; reason: DlqReason; detail: string }
  | { kind: 'duplicate'; contentHashHex: string }
  // The record without its bytes (the main thread has them) or the hash's bytes (derived from the hex).
  | ({ kind: 'accept' } & Omit<AcceptedRecord, 'contentHash' | 'bytes'>);

export type InspectResponse = { id: number; outcomes: WireOutcome[] } | { id: number; error: string };

export function packRequest(id: number, messages: readonly RawMessage[], now: Date, policies?: InspectRequest['policies']): { request: InspectRequest; transfer: ArrayBuffer[] } {
  const lengths = messages.map((m) => (m.value === null ? -1 : m.value.length));
  const packed = Buffer.allocUnsafeSlow(lengths.reduce((sum, n) => sum + Math.max(n, 0), 0));
  let offset = 0;
  for (const message of messages) {
    if (message.value === null) continue;
    message.value.copy(packed, offset);
    offset += message.value.length;
  }
  const buffer = packed.buffer as ArrayBuffer;
  return {
    request: {
      id,
      nowMs: now.getTime(),
      ...(policies ? { policies } : {}),
      buffer,
      lengths,
      tenantHeaders: messages.map((m) => m.tenantHeader ?? null),
      signatureHeaders: messages.map((m) => m.emitterSignaturesHeader ?? null),
      batchSignatureHeaders: messages.map((m) => m.emitterBatchHeader ?? null),
    },
    transfer: [buffer],
  };
}

export function unpackRequest(request: InspectRequest): RawMessage[] {
  const all = Buffer.from(request.buffer);
  let offset = 0;
  return request.lengths.map((length, i) => {
    let value: Buffer | null = null;
    if (length >= 0) {
      value = all.subarray(offset, offset + length);
      offset += length;
    }
    return {
      value,
      tenantHeader: request.tenantHeaders[i] ?? undefined,
      emitterSignaturesHeader: request.signatureHeaders[i] ?? undefined,
      emitterBatchHeader: request.batchSignatureHeaders[i] ?? undefined,
    };
  });
}

export function toWire(outcome: Outcome): WireOutcome {
  if (outcome.kind !== 'accept') return outcome;
  const { contentHash: _derived, bytes: _kept, ...record } = outcome.record;
  return { kind: 'accept', ...record };
}

/** The outcome again, with the record's bytes taken from the message the main thread kept. */
export function fromWire(wire: WireOutcome, message: RawMessage): Outcome {
  if (wire.kind !== 'accept') return wire;
  const { kind: _kind, ...record } = wire;
  return { kind: 'accept', record: { ...record, contentHash: Buffer.from(wire.contentHashHex, 'hex'), bytes: message.value! } };
}
