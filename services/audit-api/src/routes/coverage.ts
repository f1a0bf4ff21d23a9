import type { FastifyInstance } from 'fastify';
import { READ_ROLES, tenantOf } from '../auth.js';
import type { ControlCatalog } from '../coverage/control-catalog.js';
import { badParameter } from '../errors.js';
import type { EvidenceRepository } from '../query/evidence-repository.js';
import { assertKnownParameters, assertRange, optionalDate, type RawQuery } from '../query/params.js';

const FRAMEWORK = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface CoverageRouteDeps {
  repository: EvidenceRepository;
  catalog: ControlCatalog | undefined;
}

/**
 * Evidence per control over a period, and the controls with none (gaps).
 * The universe of controls is the catalog's; for a framework the catalog
 * does not know (or without a catalog), it is every control the tenant has
 * had evidence for in any period, and the answer says so.
 */
export function registerCoverageRoutes(app: FastifyInstance, deps: CoverageRouteDeps): void {
  app.get<{ Querystring: RawQuery }>('/v1/coverage', { config: { access: { roles: READ_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, ['from', 'to', 'framework']);
    const tenant = tenantOf(request);
    const from = optionalDate(request.query, 'from', 'lower');
    const to = optionalDate(request.query, 'to', 'upper');
    if (!from) throw badParameter('from', 'from is required (start of the audit period)');
    if (!to) throw badParameter('to', 'to is required (end of the audit period)');
    assertRange(from, to);
    const framework = request.query.framework as string | undefined;
    if (framework !== undefined && !FRAMEWORK.test(framework)) throw badParameter('framework', 'framework must be an identifier such as iso42001');

    const counts = await deps.repository.countsByControl(tenant, from, to, framework);
    const cataloged = deps.catalog?.controls(framework);
    const universe = cataloged
      ? {
          source: 'catalog' as const,
          description: `controls of ${deps.catalog!.name}${framework ? ` for ${framework}` : ''}`,
          ...(deps.catalog!.sources ? { catalogs: deps.catalog!.sources(framework) } : {}),
        }
      : {
          source: 'observed' as const,
          description: `no control catalog ${framework ? `knows framework ${framework}` : 'is configured'}: the universe is every control this tenant has had evidence for in any period, so controls never evidenced at all cannot show as gaps`,
        };
    const titles = new Map((cataloged ?? []).map((c) => [c.id, c.title]));
    const ids = cataloged ? cataloged.map((c) => c.id) : await deps.repository.controlsEverSeen(tenant, framework);
    const inUniverse = new Set(ids);
    const outside = [...counts.keys()].filter((id) => !inUniverse.has(id)).sort();
    const controls = [...ids, ...outside].map((id) => ({
      control: id,
      ...(titles.has(id) ? { title: titles.get(id) } : {}),
      in_universe: inUniverse.has(id),
      records: counts.get(id) ?? 0,
    }));
    const gaps = controls.filter((c) => c.in_universe && c.records === 0).map((c) => c.control);
    return {
      tenant,
      from: from.toISOString(),
      to: to.toISOString(),
      framework: framework ?? null,
      universe: { ...universe, size: ids.length },
      covered: ids.length - gaps.length,
      gaps,
      controls,
    };
  });
}
