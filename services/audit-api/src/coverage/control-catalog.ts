import { ALL_CONTROLS, CONTROL_CATALOGS } from '@probity/catalog';

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
}

/** The catalog of `@probity/catalog` (ISO/IEC 42001, ISO/IEC 27001, ISO 9001, EU AI Act). */
export const probityControlCatalog: ControlCatalog = {
  name: '@probity/catalog',
  controls(framework) {
    if (framework === undefined) return ALL_CONTROLS;
    return Object.hasOwn(CONTROL_CATALOGS, framework) ? CONTROL_CATALOGS[framework as keyof typeof CONTROL_CATALOGS] : undefined;
  },
};
