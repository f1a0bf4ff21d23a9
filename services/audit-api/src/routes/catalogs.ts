import type { FastifyInstance } from 'fastify';
import { CatalogError, type Catalogs, type FrameworkCatalog } from '@probity/catalog';
import { READ_ROLES } from '../auth.js';
import { AuditApiError, badParameter } from '../errors.js';
import { assertKnownParameters, optionalText, type RawQuery } from '../query/params.js';

export interface CatalogRouteDeps {
  /** Read on first use (the data files are loaded once per process). */
  catalogs: () => Catalogs;
}

/** A framework without its controls: what `GET /v1/catalogs` lists. */
export function frameworkSummary(catalog: FrameworkCatalog): Record<string, unknown> {
  const kinds: Record<string, number> = {};
  for (const control of catalog.controls) kinds[control.kind] = (kinds[control.kind] ?? 0) + 1;
  const { controls: _controls, groups: _groups, aliases: _aliases, ...rest } = catalog;
  return { ...rest, controls: catalog.controls.length, kinds };
}

/**
 * Read-only views of the framework and crosswalk data files (`@probity/catalog`):
 * the same for every tenant, behind the read roles like the other queries.
 */
export function registerCatalogRoutes(app: FastifyInstance, deps: CatalogRouteDeps): void {
  const access = { config: { access: { roles: READ_ROLES } } };

  app.get<{ Querystring: RawQuery }>('/v1/catalogs', access, async (request) => {
    assertKnownParameters(request.query, []);
    const catalogs = deps.catalogs();
    return {
      frameworks: catalogs.frameworks().map(frameworkSummary),
      crosswalks: catalogs.crosswalks().map(({ mappings, reversed: _reversed, ...rest }) => ({ ...rest, mappings: mappings.length })),
    };
  });

  app.get<{ Params: { framework: string }; Querystring: RawQuery }>('/v1/catalogs/:framework', access, async (request) => {
    assertKnownParameters(request.query, []);
    const catalogs = deps.catalogs();
    if (!catalogs.hasFramework(request.params.framework)) {
      throw new AuditApiError('NOT_FOUND', `no framework ${JSON.stringify(request.params.framework)}; known: ${catalogs.frameworkIds().join(', ')}`, { parameter: 'framework' });
    }
    return catalogs.framework(request.params.framework);
  });

  app.get<{ Querystring: RawQuery }>('/v1/crosswalks', access, async (request) => {
    assertKnownParameters(request.query, ['from', 'to', 'control']);
    const catalogs = deps.catalogs();
    const from = optionalText(request.query, 'from');
    const to = optionalText(request.query, 'to');
    if (!from) throw badParameter('from', `from is required: the framework to map from (one of ${catalogs.frameworkIds().join(', ')})`);
    if (!to) throw badParameter('to', `to is required: the framework to map to (one of ${catalogs.frameworkIds().join(', ')})`);
    for (const [name, id] of [['from', from], ['to', to]] as const) {
      if (!catalogs.hasFramework(id)) throw badParameter(name, `unknown framework ${JSON.stringify(id)}; known: ${catalogs.frameworkIds().join(', ')}`);
    }
    let crosswalk;
    try {
      crosswalk = catalogs.crosswalk(from, to);
    } catch (err) {
      if (err instanceof CatalogError && err.code === 'UNKNOWN_CROSSWALK') throw new AuditApiError('NOT_FOUND', err.message, { parameter: 'to' });
      throw err;
    }
    const control = optionalText(request.query, 'control');
    if (control === undefined) return crosswalk;
    const found = catalogs.findControl(control);
    if (!found || (found.framework !== from && found.framework !== to)) {
      throw badParameter('control', `control ${JSON.stringify(control)} is not a control of ${from} or ${to} (e.g. ${catalogs.framework(from).controls[0]!.id})`);
    }
    return { ...crosswalk, mappings: crosswalk.mappings.filter((m) => m.from === found.id || m.to === found.id) };
  });
}
