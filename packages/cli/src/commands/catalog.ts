import { CatalogError, type Catalogs, type Crosswalk, type FrameworkCatalog } from '@probity/catalog';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';

const SUBCOMMANDS = ['list', 'show', 'crosswalk'] as const;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `probity catalog list`: frameworks, then crosswalks. */
export function renderCatalogList(catalogs: Catalogs): string {
  const kinds = (f: FrameworkCatalog) => {
    const counts = new Map<string, number>();
    for (const c of f.controls) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
    return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
  };
  const frameworks = table(
    ['framework', 'name', 'edition', 'data', 'controls', 'kinds'],
    catalogs.frameworks().map((f) => [f.framework, f.name, f.edition, `v${f.version}`, String(f.controls.length), kinds(f)]),
  );
  const walks = table(
    ['crosswalk', 'from', 'to', 'data', 'mappings', 'source'],
    catalogs.crosswalks().map((w) => [w.id, `${w.from.framework} ${w.from.edition}`, `${w.to.framework} ${w.to.edition}`, `v${w.version}`, String(w.mappings.length), `${w.source.kind}: ${w.source.name}`]),
  );
  return `${frameworks}\n${walks}`;
}

/** `probity catalog show <framework>`: one line per control. */
export function renderFramework(f: FrameworkCatalog): string {
  const head = `${f.name} ${f.edition} (${f.framework}, data v${f.version}): ${f.title}\n${f.note}\n\n`;
  return head + table(['id', 'kind', 'group', 'title'], f.controls.map((c) => [c.id, c.kind, c.group, c.title]));
}

/** `probity catalog crosswalk <from> <to>`: one line per mapping, with both titles. */
export function renderCrosswalk(w: Crosswalk, catalogs: Catalogs): string {
  const title = (id: string) => catalogs.findControl(id)?.title ?? '';
  const head = `${w.id} (data v${w.version}${w.reversed ? ', read the other way round' : ''}): ${w.from.framework} ${w.from.edition} → ${w.to.framework} ${w.to.edition}\nsource (${w.source.kind}): ${w.source.name}${w.source.url ? ` <${w.source.url}>` : ''}\n\n`;
  return head + table(['from', 'relation', 'to', 'from title', 'to title'], w.mappings.map((m) => [m.from, m.relation, m.to, title(m.from), title(m.to)]));
}

/**
 * `probity catalog list|show|crosswalk`: the framework and crosswalk data
 * files of @probity/catalog (or of `--dir`), read locally; no service needed.
 * The audit API serves the same at /v1/catalogs and /v1/crosswalks.
 */
export const catalog = defineCommand({
  name: 'catalog',
  summary: 'List the control frameworks and crosswalks, show a framework\'s controls, map one framework to another',
  usage: 'list | show <framework> | crosswalk <from> <to>  [--control ID] [--kind KIND] [--json] [--dir DIR]',
  description:
    'list: every framework (edition, data file version, controls by kind) and every crosswalk.\n' +
    'show <framework>: the framework\'s controls (ids and short titles in our own words), --kind to keep one kind (clause, annex-control, article, subcategory).\n' +
    'crosswalk <from> <to>: the mappings from one framework to another (equal, subset, superset, intersects) with their source; --control to keep one control\'s.',
  positionals: true,
  options: {
    json: { type: 'boolean', description: 'Print JSON instead of a table.' },
    control: { type: 'string', valueName: 'ID', description: 'crosswalk: only the mappings of this control id, e.g. euaiact:Art.9.' },
    kind: { type: 'string', valueName: 'KIND', description: 'show: only controls of this kind.' },
    dir: { type: 'string', valueName: 'DIR', description: 'A catalog data directory (frameworks/ and crosswalks/) instead of the built-in one.' },
  },
  async run({ values, positionals, io }) {
    const [sub, ...args] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError('CLI_USAGE', `expected one of ${SUBCOMMANDS.join(', ')}`);
    const wanted = { list: 0, show: 1, crosswalk: 2 }[sub as (typeof SUBCOMMANDS)[number]];
    if (args.length !== wanted) throw new CliError('CLI_USAGE', sub === 'list' ? 'catalog list takes no arguments' : sub === 'show' ? 'catalog show needs one framework id, e.g. iso42001' : 'catalog crosswalk needs two framework ids: <from> <to>');
    const { defaultCatalogs, loadCatalogs } = await import('@probity/catalog');
    const json = booleanOption(values, 'json');
    const out = (value: unknown, text: string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text);
    try {
      const dir = stringOption(values, 'dir');
      const catalogs = dir === undefined ? defaultCatalogs() : loadCatalogs(dir);
      if (sub === 'list') {
        out({ frameworks: catalogs.frameworks().map(({ controls, groups: _g, ...f }) => ({ ...f, controls: controls.length })), crosswalks: catalogs.crosswalks().map(({ mappings, ...w }) => ({ ...w, mappings: mappings.length })) }, renderCatalogList(catalogs));
        return 0;
      }
      if (sub === 'show') {
        const framework = catalogs.framework(args[0]!);
        const kind = stringOption(values, 'kind');
        const kinds = [...new Set(framework.controls.map((c) => c.kind))];
        if (kind !== undefined && !kinds.includes(kind as never)) throw new CliError('CLI_USAGE', `--kind ${kind}: ${framework.framework} has controls of kind ${kinds.join(', ')}`);
        const shown = kind === undefined ? framework : { ...framework, controls: framework.controls.filter((c) => c.kind === kind) };
        out(shown, renderFramework(shown));
        return 0;
      }
      let walk = catalogs.crosswalk(args[0]!, args[1]!);
      const control = stringOption(values, 'control');
      if (control !== undefined) {
        const found = catalogs.control(control);
        if (found.framework !== walk.from.framework && found.framework !== walk.to.framework) throw new CliError('CLI_USAGE', `--control ${control} is not a control of ${walk.from.framework} or ${walk.to.framework}`);
        walk = { ...walk, mappings: walk.mappings.filter((m) => m.from === found.id || m.to === found.id) };
      }
      out(walk, renderCrosswalk(walk, catalogs));
      return 0;
    } catch (err) {
      // An unknown framework, control or crosswalk is a bad command line: exit 2 with what to fix.
      if (err instanceof CatalogError && err.code !== 'CATALOG_FILE_INVALID') throw new CliError('CLI_USAGE', err.message, { cause: err });
      if (err instanceof CatalogError) throw new CliError('CLI_FAILED', err.message, { cause: err });
      throw err;
    }
  },
});
