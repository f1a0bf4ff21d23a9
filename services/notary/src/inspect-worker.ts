import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry } from '@probity/schema';
import { inspectMessage } from './inspect.js';
import { toWire, unpackRequest, type InspectRequest, type InspectResponse } from './inspect-wire.js';
import { schemaDecoder } from './schema-decoder.js';
import { policyOf, type TenantPolicyFile } from './tenant-policy.js';

/**
 * An inspect worker (see InspectPool): the same decisions as inline
 * inspection, off the main thread. Tenant policies come from the main thread
 * (which reloads the file and keeps the last good one), never from the file.
 */
const { maxMessageBytes } = workerData as { maxMessageBytes: number };
const decoder = schemaDecoder(defaultRegistry());
let policies: TenantPolicyFile = { tenants: {} };
const port = parentPort!;

port.on('message', (request: InspectRequest) => {
  let response: InspectResponse;
  try {
    if (request.policies) policies = request.policies.file;
    const context = { decoder, policyFor: (tenant: string) => policyOf(policies, tenant), maxMessageBytes, now: new Date(request.nowMs) };
    response = { id: request.id, outcomes: unpackRequest(request).map((message) => toWire(inspectMessage(message, context))) };
  } catch (err) {
    response = { id: request.id, error: (err as Error).stack ?? String(err) };
  }
  port.postMessage(response);
});
port.postMessage({ ready: true });
