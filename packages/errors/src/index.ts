export { ProbityError, isProbityError } from './probity-error.js';
export type { ProbityErrorOptions } from './probity-error.js';
