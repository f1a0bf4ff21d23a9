import { ProbityError } from '@probity/errors';

/**
 * - `CATALOG_FILE_INVALID`: a framework or crosswalk data file is unreadable or breaks the rules (details name the file and what to fix).
 * - `UNKNOWN_FRAMEWORK` / `UNKNOWN_CONTROL` / `UNKNOWN_CROSSWALK`: asked for something no data file has (details list what there is).
 */
export type CatalogErrorCode = 'CATALOG_FILE_INVALID' | 'UNKNOWN_FRAMEWORK' | 'UNKNOWN_CONTROL' | 'UNKNOWN_CROSSWALK';

export class CatalogError extends ProbityError<CatalogErrorCode> {}
