import { defineControls } from './control.js';

/** ISO/IEC 42001:2023 (AI management system), Annex A reference controls. */
export const ISO42001_ANNEX_A = defineControls('iso42001', {
  'A.2 Policies related to AI': [
    ['A.2.2', 'AI policy'],
    ['A.2.3', 'Alignment with other organizational policies'],
    ['A.2.4', 'Review of the AI policy'],
  ],
  'A.3 Internal organization': [
    ['A.3.2', 'AI roles and responsibilities'],
    ['A.3.3', 'Reporting of concerns'],
  ],
  'A.4 Resources for AI systems': [
    ['A.4.2', 'Resource documentation'],
    ['A.4.3', 'Data resources'],
    ['A.4.4', 'Tooling resources'],
    ['A.4.5', 'System and computing resources'],
    ['A.4.6', 'Human resources'],
  ],
  'A.5 Assessing impacts of AI systems': [
    ['A.5.2', 'AI system impact assessment process'],
    ['A.5.3', 'Documentation of AI system impact assessments'],
    ['A.5.4', 'Assessing AI system impact on individuals or groups of individuals'],
    ['A.5.5', 'Assessing societal impacts of AI systems'],
  ],
  'A.6 AI system life cycle': [
    ['A.6.1.2', 'Objectives for responsible development of AI system'],
    ['A.6.1.3', 'Processes for responsible AI system design and development'],
    ['A.6.2.2', 'AI system requirements and specification'],
    ['A.6.2.3', 'Documentation of AI system design and development'],
    ['A.6.2.4', 'AI system verification and validation'],
    ['A.6.2.5', 'AI system deployment'],
    ['A.6.2.6', 'AI system operation and monitoring'],
    ['A.6.2.7', 'AI system technical documentation'],
    ['A.6.2.8', 'AI system recording of event logs'],
  ],
  'A.7 Data for AI systems': [
    ['A.7.2', 'Data for development and enhancement of AI system'],
    ['A.7.3', 'Acquisition of data'],
    ['A.7.4', 'Quality of data for AI systems'],
    ['A.7.5', 'Data provenance'],
    ['A.7.6', 'Data preparation'],
  ],
  'A.8 Information for interested parties of AI systems': [
    ['A.8.2', 'System documentation and information for users'],
    ['A.8.3', 'External reporting'],
    ['A.8.4', 'Communication of incidents'],
    ['A.8.5', 'Information for interested parties'],
  ],
  'A.9 Use of AI systems': [
    ['A.9.2', 'Processes for responsible use of AI systems'],
    ['A.9.3', 'Objectives for responsible use of AI system'],
    ['A.9.4', 'Intended use of the AI system'],
  ],
  'A.10 Third-party and customer relationships': [
    ['A.10.2', 'Allocating responsibilities'],
    ['A.10.3', 'Suppliers'],
    ['A.10.4', 'Customers'],
  ],
});
