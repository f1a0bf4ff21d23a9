import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { parsePublicKeyring, publicKeyringPath } from '@probity/keystore';
import type { Warehouse } from '@probity/warehouse';
import { AuditApiError } from '../errors.js';
import { assertKnownParameters, type RawQuery } from '../query/params.js';

/** Routes without a token: health, the API description and the notary's public keys (public by nature). */
export function registerPublicRoutes(app: FastifyInstance, deps: { warehouse: Warehouse; keysDir: string | undefined; openapi: object }): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      const ping = await deps.warehouse.ping();
      return { status: 'ok', warehouse: { kind: deps.warehouse.kind, version: ping.version, latency_ms: Math.round(ping.latencyMs * 10) / 10 } };
    } catch (err) {
      reply.code(503);
      return { status: 'unavailable', warehouse: { kind: deps.warehouse.kind, error: (err as { code?: string }).code ?? 'UNKNOWN' } };
    }
  });

  app.get('/openapi.json', async () => deps.openapi);

  app.get<{ Querystring: RawQuery }>('/v1/keys', async (request) => {
    assertKnownParameters(request.query, []);
    if (!deps.keysDir) throw new AuditApiError('NOT_FOUND', 'this API was started without the notary keyring (PROBITY_NOTARY_KEYS_DIR)');
    const file = publicKeyringPath(deps.keysDir);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new AuditApiError('NOT_FOUND', 'the notary has not created its keyring yet');
    }
    const keyring = parsePublicKeyring(JSON.parse(text), 'notary keyring');
    // Re-listed field by field: only public material leaves, whatever else the file holds.
    return {
      keys: keyring.keys.map((k) => ({
        name: k.name,
        keyId: k.keyId,
        publicKey: k.publicKey,
        verifierKey: k.verifierKey,
        notBefore: k.notBefore,
        ...(k.notAfter ? { notAfter: k.notAfter } : {}),
      })),
    };
  });
}
