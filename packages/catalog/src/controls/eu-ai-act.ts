import { defineControls } from './control.js';

/** Regulation (EU) 2024/1689 (AI Act): the articles on high-risk AI systems that pipeline evidence speaks to. */
export const EU_AI_ACT_ARTICLES = defineControls('euaiact', {
  'Chapter III Section 2: requirements for high-risk AI systems': [
    ['Art.9', 'Risk management system'],
    ['Art.10', 'Data and data governance'],
    ['Art.11', 'Technical documentation'],
    ['Art.12', 'Record-keeping'],
    ['Art.13', 'Transparency and provision of information to deployers'],
    ['Art.14', 'Human oversight'],
    ['Art.15', 'Accuracy, robustness and cybersecurity'],
  ],
  'Chapter III Section 3: obligations of providers and deployers': [
    ['Art.16', 'Obligations of providers of high-risk AI systems'],
    ['Art.17', 'Quality management system'],
    ['Art.18', 'Documentation keeping'],
    ['Art.19', 'Automatically generated logs'],
    ['Art.20', 'Corrective actions and duty of information'],
    ['Art.26', 'Obligations of deployers of high-risk AI systems'],
    ['Art.27', 'Fundamental rights impact assessment for high-risk AI systems'],
  ],
  'Chapter III Section 5 and Chapter IX: conformity and post-market monitoring': [
    ['Art.43', 'Conformity assessment'],
    ['Art.72', 'Post-market monitoring by providers and post-market monitoring plan for high-risk AI systems'],
    ['Art.73', 'Reporting of serious incidents'],
  ],
});
