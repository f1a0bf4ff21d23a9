import type { FastifyInstance } from 'fastify';
import { READ_ROLES } from '../auth.js';
import { badParameter } from '../errors.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { assertKnownParameters, optionalInt, requiredInt, type RawQuery } from '../query/params.js';

const MAX_SHARD = 65_535;
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

function parseShard(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > MAX_SHARD) throw badParameter('shard', `shard must be an integer from 0 to ${MAX_SHARD}`);
  return Number(value);
}

/** Log data is hashes only and the same for every tenant, but still needs a token. */
export function registerLogRoutes(app: FastifyInstance, log: TransparencyLog): void {
  const config = { access: { roles: READ_ROLES } };

  app.get<{ Params: { shard: string }; Querystring: RawQuery }>('/v1/log/:shard/checkpoint', { config }, async (request) => {
    assertKnownParameters(request.query, []);
    return log.requireLatest(parseShard(request.params.shard));
  });

  app.get<{ Params: { shard: string }; Querystring: RawQuery }>('/v1/log/:shard/proof/inclusion', { config }, async (request) => {
    assertKnownParameters(request.query, ['index', 'size']);
    const shard = parseShard(request.params.shard);
    const index = requiredInt(request.query, 'index', 0, MAX_SIZE - 1);
    const size = optionalInt(request.query, 'size', 1, MAX_SIZE);
    return log.inclusion(shard, index, size);
  });

  app.get<{ Params: { shard: string }; Querystring: RawQuery }>('/v1/log/:shard/proof/consistency', { config }, async (request) => {
    assertKnownParameters(request.query, ['from', 'to']);
    const shard = parseShard(request.params.shard);
    const from = requiredInt(request.query, 'from', 0, MAX_SIZE);
    const to = optionalInt(request.query, 'to', 0, MAX_SIZE);
    return log.consistency(shard, from, to);
  });
}
