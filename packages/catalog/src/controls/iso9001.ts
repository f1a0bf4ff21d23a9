import { defineControls } from './control.js';

/**
 * ISO 9001:2026 (quality management system): the clauses Probity's studies
 * and incidents evidence. Numbering follows the 2015 structure, which the
 * 2026 revision keeps for these clauses.
 */
export const ISO9001_CLAUSES = defineControls('iso9001', {
  '7.1 Resources': [
    ['7.1.5', 'Monitoring and measuring resources'],
    ['7.1.5.1', 'Monitoring and measuring resources: general'],
    ['7.1.5.2', 'Measurement traceability'],
  ],
  '9.1 Monitoring, measurement, analysis and evaluation': [
    ['9.1.1', 'Monitoring, measurement, analysis and evaluation: general'],
    ['9.1.3', 'Analysis and evaluation'],
  ],
  '10 Improvement': [['10.2', 'Nonconformity and corrective action']],
});
