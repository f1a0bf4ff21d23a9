import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry } from '@probity/schema';
import { inspectMessage } from './inspect.js';
import { toWire, unpackRequest, type InspectRequest, type InspectResponse } from './inspect-wire.js';
import { schemaDecoder } from './schema-decoder.js';
import { TenantPolicies } from './tenant-policy.js';

/** An inspect worker (see InspectPool): the same decisions as inline inspection, off the main thread. */
const { policiesFile, maxMessageBytes } = workerData as { policiesFile: string; maxMessageBytes: number };
const decoder = schemaDecoder(defaultRegistry());
const policies = new TenantPolicies(policiesFile);
const port = parentPort!;

port.on('message', (request: InspectRequest) => {
  let response: InspectResponse;
  try {
    const context = { decoder, policyFor: (tenant: string) => policies.get(tenant), maxMessageBytes, now: new Date(request.nowMs) };
    response = { id: request.id, outcomes: unpackRequest(request).map((message) => toWire(inspectMessage(message, context))) };
  } catch (err) {
    response = { id: request.id, error: (err as Error).stack ?? String(err) };
  }
  port.postMessage(response);
});
port.postMessage({ ready: true });
