import { defaultCatalogs, type Catalogs } from '@probity/catalog';

export interface CatalogControl {
  id: string;
  title: string;
}

/** The controls a coverage report checks evidence against. */
export interface ControlCatalog {
  /** Shown in the report, e.g. "probity control catalog". */
  readonly name: string;
  /** All controls, or one framework's; undefined when the catalog does not know the framework. */
  controls(framework?: string): readonly CatalogControl[] | undefined;
  /** The data files the controls come from (framework, edition, data version), so a report names what it was computed against. */
  sources?(framework?: string): { framework: string; edition: string; version: number }[];
}

/** A coverage catalog over framework data files (every framework's controls, or one's). */
export function catalogsControlCatalog(catalogs: () => Catalogs): ControlCatalog {
  return {
    name: '@probity/catalog',
    controls(framework) {
      if (framework === undefined) return catalogs().frameworks().flatMap((f) => f.controls);
      return catalogs().hasFramework(framework) ? catalogs().framework(framework).controls : undefined;
    },
    sources(framework) {
      const all = framework === undefined ? catalogs().frameworks() : catalogs().hasFramework(framework) ? [catalogs().framework(framework)] : [];
      return all.map((f) => ({ framework: f.framework, edition: f.edition, version: f.version }));
    },
  };
}

/** The data files of `@probity/catalog` (ISO/IEC 42001, 27001, ISO 9001, EU AI Act, NIST AI RMF), read on first use. */
export const probityControlCatalog: ControlCatalog = catalogsControlCatalog(defaultCatalogs);
