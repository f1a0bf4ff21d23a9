/** A framework Probity maps evidence to. The prefix of every control id (`iso42001:A.6.2.6`). */
export type Framework = 'iso42001' | 'iso27001' | 'iso9001' | 'euaiact';

/** One control, clause or article: enough to report coverage and gaps, not the standard's text. */
export interface Control {
  /** `<framework>:<ref>`, the form evidence records carry in `controls`. */
  id: string;
  framework: Framework;
  /** The standard's own numbering: `A.6.2.6`, `9.1.3`, `Art.12`. */
  ref: string;
  title: string;
  /** The clause group or chapter it sits in, for grouping reports. */
  group: string;
}

/** Builds a framework's catalog from `[ref, title]` pairs grouped by heading. */
export function defineControls(framework: Framework, groups: Record<string, readonly (readonly [ref: string, title: string])[]>): readonly Control[] {
  const out: Control[] = [];
  for (const [group, entries] of Object.entries(groups)) {
    for (const [ref, title] of entries) out.push({ id: `${framework}:${ref}`, framework, ref, title, group });
  }
  return Object.freeze(out);
}
