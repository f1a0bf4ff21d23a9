import { z } from 'zod';
import { crosswalkFileSchema, frameworkFileSchema, type ControlKind, type CrosswalkFile, type FrameworkFile, type Relation } from './catalog-files.js';
import { CatalogError } from './errors.js';

/** One control, clause, article or subcategory: identifiers and our own short title, not the standard's text. */
export interface CatalogControl {
  /** `<framework>:<ref>`, the form evidence records carry in `controls`. */
  id: string;
  framework: string;
  ref: string;
  title: string;
  kind: ControlKind;
  /** Ref of the top-level group (clause, theme, chapter, function). */
  group: string;
  /** Ref of the enclosing control or group, when there is one below the group. */
  parent?: string;
}

export interface CatalogGroup {
  ref: string;
  title: string;
  parent?: string;
}

/** One framework edition, from its data file. */
export interface FrameworkCatalog {
  framework: string;
  name: string;
  title: string;
  edition: string;
  /** Version of the data file. */
  version: number;
  publisher: string;
  note: string;
  groups: readonly CatalogGroup[];
  controls: readonly CatalogControl[];
  /** Old ref → current ref. */
  aliases: Readonly<Record<string, string>>;
}

export interface CrosswalkMapping {
  /** Full control ids. */
  from: string;
  to: string;
  relation: Relation;
  note?: string;
}

/** A mapping set, oriented as asked (`crosswalk(from, to)`); `reversed` when the data file maps the other way. */
export interface Crosswalk {
  id: string;
  version: number;
  from: { framework: string; edition: string };
  to: { framework: string; edition: string };
  source: CrosswalkFile['source'];
  reversed: boolean;
  mappings: readonly CrosswalkMapping[];
}

/** A data file's parsed JSON and where it came from (file name, for error messages). */
export interface CatalogSource {
  origin: string;
  json: unknown;
}

const INVERSE: Record<Relation, Relation> = { equal: 'equal', subset: 'superset', superset: 'subset', intersects: 'intersects' };

function invalid(origin: string, message: string, details: Record<string, unknown> = {}): CatalogError {
  return new CatalogError('CATALOG_FILE_INVALID', `${origin}: ${message}`, { details: { origin, ...details } });
}

function parseFile<T>(schema: z.ZodType<T>, source: CatalogSource): T {
  const parsed = schema.safeParse(source.json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw invalid(source.origin, issues.slice(0, 5).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '), { issues });
}

/**
 * Every framework and crosswalk data file, checked once at load: refs unique
 * per framework, groups and parents resolve, crosswalk refs resolve on both
 * sides and name the editions loaded. Read-only afterwards.
 */
export class Catalogs {
  private readonly byFramework = new Map<string, FrameworkCatalog>();
  private readonly byId = new Map<string, CatalogControl>();
  private readonly walks: Crosswalk[] = [];

  static fromSources(frameworks: readonly CatalogSource[], crosswalks: readonly CatalogSource[]): Catalogs {
    return new Catalogs(frameworks, crosswalks);
  }

  private constructor(frameworkSources: readonly CatalogSource[], crosswalkSources: readonly CatalogSource[]) {
    for (const source of frameworkSources) {
      const catalog = checkFramework(parseFile(frameworkFileSchema, source), source.origin);
      if (this.byFramework.has(catalog.framework)) throw invalid(source.origin, `framework ${catalog.framework} is defined twice (one data file per framework)`);
      this.byFramework.set(catalog.framework, catalog);
      for (const control of catalog.controls) this.byId.set(control.id, control);
    }
    const pairs = new Set<string>();
    for (const source of crosswalkSources) {
      const file = parseFile(crosswalkFileSchema, source);
      const walk = this.checkCrosswalk(file, source.origin);
      const pair = [walk.from.framework, walk.to.framework].sort().join('|');
      if (pairs.has(pair)) throw invalid(source.origin, `a second crosswalk between ${walk.from.framework} and ${walk.to.framework} (one per pair)`);
      pairs.add(pair);
      this.walks.push(walk);
    }
  }

  /** Every framework, in id order. */
  frameworks(): FrameworkCatalog[] {
    return [...this.byFramework.values()].sort((a, b) => a.framework.localeCompare(b.framework));
  }

  /** One framework; `UNKNOWN_FRAMEWORK` naming the known ones otherwise. */
  framework(id: string): FrameworkCatalog {
    const catalog = this.byFramework.get(id);
    if (!catalog) throw new CatalogError('UNKNOWN_FRAMEWORK', `unknown framework ${JSON.stringify(id)}; known: ${this.frameworkIds().join(', ')}`, { details: { framework: id, known: this.frameworkIds() } });
    return catalog;
  }

  hasFramework(id: string): boolean {
    return this.byFramework.has(id);
  }

  frameworkIds(): string[] {
    return this.frameworks().map((f) => f.framework);
  }

  /** The control with this id (`iso42001:A.6.2.6`), following the framework's aliases; undefined when no catalog lists it. */
  findControl(id: string): CatalogControl | undefined {
    const direct = this.byId.get(id);
    if (direct) return direct;
    const colon = id.indexOf(':');
    if (colon < 0) return undefined;
    const catalog = this.byFramework.get(id.slice(0, colon));
    const alias = catalog?.aliases[id.slice(colon + 1)];
    return alias === undefined ? undefined : this.byId.get(`${catalog!.framework}:${alias}`);
  }

  /** Like {@link findControl}, but `UNKNOWN_FRAMEWORK` / `UNKNOWN_CONTROL` instead of undefined. */
  control(id: string): CatalogControl {
    const colon = id.indexOf(':');
    if (colon < 0) throw new CatalogError('UNKNOWN_CONTROL', `control ${JSON.stringify(id)} must be <framework>:<ref>, e.g. iso42001:A.6.2.4`, { details: { control: id } });
    this.framework(id.slice(0, colon));
    const control = this.findControl(id);
    if (!control) throw new CatalogError('UNKNOWN_CONTROL', `framework ${id.slice(0, colon)} has no control ${id.slice(colon + 1)}`, { details: { control: id } });
    return control;
  }

  /** Every crosswalk as stored (each once). */
  crosswalks(): readonly Crosswalk[] {
    return this.walks;
  }

  /** The mapping set from one framework to another, inverted (subset ↔ superset) when stored the other way. */
  crosswalk(from: string, to: string): Crosswalk {
    this.framework(from);
    this.framework(to);
    const stored = this.walks.find((w) => (w.from.framework === from && w.to.framework === to) || (w.from.framework === to && w.to.framework === from));
    if (!stored) {
      const available = this.walks.map((w) => `${w.from.framework}↔${w.to.framework}`);
      throw new CatalogError('UNKNOWN_CROSSWALK', `no crosswalk between ${from} and ${to}; available: ${available.join(', ') || '(none)'}`, { details: { from, to, available } });
    }
    if (stored.from.framework === from) return stored;
    return {
      ...stored,
      from: stored.to,
      to: stored.from,
      reversed: true,
      mappings: stored.mappings.map((m) => ({ ...m, from: m.to, to: m.from, relation: INVERSE[m.relation] })),
    };
  }

  private checkCrosswalk(file: CrosswalkFile, origin: string): Crosswalk {
    for (const end of ['from', 'to'] as const) {
      const catalog = this.byFramework.get(file[end].framework);
      if (!catalog) throw invalid(origin, `${end}.framework ${file[end].framework} has no framework data file (known: ${this.frameworkIds().join(', ')})`);
      if (catalog.edition !== file[end].edition) throw invalid(origin, `${end} names ${file[end].framework} edition ${file[end].edition}, the data file is edition ${catalog.edition}`);
    }
    if (file.from.framework === file.to.framework) throw invalid(origin, 'maps a framework to itself');
    const seen = new Set<string>();
    const mappings = file.mappings.map((m, i) => {
      const from = `${file.from.framework}:${m.from}`;
      const to = `${file.to.framework}:${m.to}`;
      if (!this.byId.has(from)) throw invalid(origin, `mappings[${i}].from: ${file.from.framework} has no control ${m.from}`);
      if (!this.byId.has(to)) throw invalid(origin, `mappings[${i}].to: ${file.to.framework} has no control ${m.to}`);
      if (seen.has(`${from}>${to}`)) throw invalid(origin, `mappings[${i}]: ${m.from} → ${m.to} is listed twice`);
      seen.add(`${from}>${to}`);
      return { from, to, relation: m.relation, ...(m.note === undefined ? {} : { note: m.note }) };
    });
    return { id: file.id, version: file.version, from: file.from, to: file.to, source: file.source, reversed: false, mappings };
  }
}

function checkFramework(file: FrameworkFile, origin: string): FrameworkCatalog {
  const groups = new Map<string, CatalogGroup>();
  for (const group of file.groups) {
    if (groups.has(group.ref)) throw invalid(origin, `group ${group.ref} is listed twice`);
    groups.set(group.ref, group);
  }
  const refs = new Set<string>();
  for (const control of file.controls) {
    if (refs.has(control.ref)) throw invalid(origin, `control ${control.ref} is listed twice`);
    if (groups.has(control.ref)) throw invalid(origin, `${control.ref} is both a group and a control`);
    refs.add(control.ref);
  }
  for (const group of file.groups) {
    if (group.parent !== undefined && !groups.has(group.parent)) throw invalid(origin, `group ${group.ref}: parent ${group.parent} is not a group`);
  }
  for (const control of file.controls) {
    if (!groups.has(control.group)) throw invalid(origin, `control ${control.ref}: group ${control.group} is not listed in groups`);
    if (control.parent !== undefined && !refs.has(control.parent) && !groups.has(control.parent)) throw invalid(origin, `control ${control.ref}: parent ${control.parent} is neither a control nor a group`);
  }
  for (const [old, current] of Object.entries(file.aliases ?? {})) {
    if (refs.has(old)) throw invalid(origin, `alias ${old} is also a current control`);
    if (!refs.has(current)) throw invalid(origin, `alias ${old} points to ${current}, which is not a control`);
  }
  const controls = file.controls.map((c) => Object.freeze({ id: `${file.framework}:${c.ref}`, framework: file.framework, ...c }));
  return Object.freeze({
    framework: file.framework,
    name: file.name,
    title: file.title,
    edition: file.edition,
    version: file.version,
    publisher: file.publisher,
    note: file.note,
    groups: Object.freeze([...file.groups]),
    controls: Object.freeze(controls),
    aliases: Object.freeze({ ...(file.aliases ?? {}) }),
  });
}
