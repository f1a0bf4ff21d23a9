import { randomUUID } from 'node:crypto';

/** `${prefix}-<uuid>`: topics, queues, tables and tenants that no other test run shares. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
