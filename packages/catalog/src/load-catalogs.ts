import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Catalogs, type CatalogSource } from './catalogs.js';
import { CatalogError } from './errors.js';

/** The package's `data/` directory (frameworks/ and crosswalks/), found from this file so it works from any working directory. */
export const DEFAULT_CATALOG_DIR = new URL('../data/', import.meta.url);

/** Reads every `*.json` of `<dir>/frameworks` and `<dir>/crosswalks`. The only I/O in this package. */
export function readCatalogSources(dir: URL | string = DEFAULT_CATALOG_DIR): { frameworks: CatalogSource[]; crosswalks: CatalogSource[] } {
  const root = (typeof dir === 'string' ? dir : fileURLToPath(dir)).replace(/\/$/, '');
  const read = (sub: string): CatalogSource[] =>
    readdirSync(`${root}/${sub}`)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => {
        const origin = `${sub}/${file}`;
        try {
          return { origin, json: JSON.parse(readFileSync(`${root}/${origin}`, 'utf8')) as unknown };
        } catch (cause) {
          throw new CatalogError('CATALOG_FILE_INVALID', `${origin}: not valid JSON (${(cause as Error).message})`, { cause, details: { origin } });
        }
      });
  return { frameworks: read('frameworks'), crosswalks: read('crosswalks') };
}

/** Loads and checks the catalogs of a directory (the package's `data/` by default). */
export function loadCatalogs(dir?: URL | string): Catalogs {
  const { frameworks, crosswalks } = readCatalogSources(dir);
  return Catalogs.fromSources(frameworks, crosswalks);
}

let shared: Catalogs | undefined;

/** The package's own catalogs, loaded on first use and then kept. */
export function defaultCatalogs(): Catalogs {
  shared ??= loadCatalogs();
  return shared;
}
