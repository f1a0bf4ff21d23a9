import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

/**
 * Study definitions: versioned configuration files (YAML or JSON) that say
 * what a drift (ISO 9001:2026 cl. 9.1.3) or calibration (cl. 7.1.5) study
 * measures, on which data, on what schedule, and how its numbers are judged.
 * Keys are snake_case like the evidence records they produce.
 */

/** Study ids become BullMQ scheduler ids and parts of job ids, so no `:` and no spaces. */
export const STUDY_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const STUDY_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CONTROL_PATTERN = /^[a-z0-9]+:[A-Za-z0-9._-]+$/;

const duration = z.string().regex(DURATION_PATTERN, 'expected a duration such as 30s, 15m, 1h, 7d or 2w');
const isoInstant = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time with a zone, e.g. 2025-01-01T00:00:00Z' });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Calendar shorthands for `schedule.interval`, as cron patterns (midnight, in `tz`). */
export const INTERVAL_PATTERNS = {
  daily: '0 0 * * *',
  weekly: '0 0 * * 1',
  monthly: '0 0 1 * *',
  quarterly: '0 0 1 1,4,7,10 *',
  yearly: '0 0 1 1 *',
} as const;

export type ScheduleInterval = keyof typeof INTERVAL_PATTERNS;

const scheduleSchema = z
  .object({
    /** Cron pattern (5 or 6 fields, seconds first when 6). */
    cron: z.string().regex(/^\S+(\s+\S+){4,5}$/, 'expected a cron pattern of 5 or 6 fields').optional(),
    /** Fixed period, aligned to multiples of itself since the epoch. */
    every: duration.optional(),
    interval: z.enum(Object.keys(INTERVAL_PATTERNS) as [ScheduleInterval, ...ScheduleInterval[]]).optional(),
    /** @defaultValue `UTC` */
    tz: z.string().refine(isTimeZone, 'unknown IANA time zone').default('UTC'),
  })
  .strict()
  .refine((s) => [s.cron, s.every, s.interval].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of cron, every or interval',
  });

const scopeSchema = z
  .object({
    tenant: z.string().regex(TENANT_PATTERN, 'expected 1-63 characters of a-z, 0-9, "-" or "_"'),
    model_id: z.string().min(1),
  })
  .strict();

/** Warning and critical levels of one criterion; at least one. */
const levelsSchema = z
  .object({ warning: z.number().finite().optional(), critical: z.number().finite().optional() })
  .strict()
  .refine((l) => l.warning !== undefined || l.critical !== undefined, { message: 'give warning, critical or both' });

/**
 * How one method's numbers become a verdict. `statistic` and `effect_size`
 * alarm when the value is >= the level; `p_value` when it is < the level.
 * With several criteria, `combine: all` needs every one of them to cross the
 * level (e.g. KS p < 0.01 AND D >= 0.1), `any` needs one.
 */
const methodThresholdSchema = z
  .object({
    statistic: levelsSchema.optional(),
    p_value: levelsSchema.optional(),
    effect_size: levelsSchema.optional(),
    /** @defaultValue `all` */
    combine: z.enum(['all', 'any']).default('all'),
  })
  .strict()
  .refine((t) => t.statistic || t.p_value || t.effect_size, { message: 'give at least one of statistic, p_value, effect_size' })
  .superRefine((t, ctx) => {
    for (const key of ['statistic', 'effect_size'] as const) {
      const l = t[key];
      if (l?.warning !== undefined && l.critical !== undefined && l.warning > l.critical) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'warning must not exceed critical (larger is worse)' });
      }
    }
    const p = t.p_value;
    if (p?.warning !== undefined && p.critical !== undefined && p.critical > p.warning) {
      ctx.addIssue({ code: 'custom', path: ['p_value'], message: 'critical must not exceed warning (a smaller p-value is worse)' });
    }
    if (p && [p.warning, p.critical].some((v) => v !== undefined && (v <= 0 || v >= 1))) {
      ctx.addIssue({ code: 'custom', path: ['p_value'], message: 'p-value levels must be in (0, 1)' });
    }
  });

export const DRIFT_METHODS = ['psi', 'ks', 'wasserstein', 'js', 'chi2'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** Which criteria each method can be judged on. */
export const METHOD_CRITERIA: Record<DriftMethod, readonly ('statistic' | 'p_value' | 'effect_size')[]> = {
  psi: ['statistic'],
  ks: ['statistic', 'p_value', 'effect_size'],
  wasserstein: ['statistic', 'effect_size'],
  js: ['statistic'],
  chi2: ['statistic', 'p_value', 'effect_size'],
};

const minimumSampleSchema = z
  .object({
    records: z.number().int().min(1),
    days: z.number().int().min(0).default(0),
    /** `larger`: both the record count and the days must be reached; `smaller`: either. @defaultValue `larger` */
    rule: z.enum(['larger', 'smaller']).default('larger'),
  })
  .strict();

const commonFields = {
  id: z.string().regex(STUDY_ID_PATTERN, 'expected 1-100 characters of a-z, 0-9, ".", "-" or "_" (no ":")'),
  version: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(STUDY_VERSION_PATTERN, 'expected letters, digits, ".", "-" or "_"')),
  title: z.string().optional(),
  scope: scopeSchema,
  schedule: scheduleSchema,
  /** Controls the result is evidence for, as `<framework>:<control>`. */
  controls: z.array(z.string().regex(CONTROL_PATTERN, 'expected <framework>:<control>, e.g. iso9001:9.1.3')).optional(),
};

const driftSchema = z
  .object({
    ...commonFields,
    kind: z.literal('drift'),
    features: z.array(z.string().min(1)).min(1).refine((f) => new Set(f).size === f.length, 'features must be unique'),
    methods: z.array(z.enum(DRIFT_METHODS)).min(1).refine((m) => new Set(m).size === m.length, 'methods must be unique'),
    /** Reference distribution: inference records of one model version in a fixed time range (content-addressed by the sorted sample's SHA-256). */
    reference: z
      .object({
        model_version: z.string().min(1),
        from: isoInstant,
        to: isoInstant,
        /** @defaultValue 100 */
        minimum_records: z.number().int().min(1).default(100),
      })
      .strict()
      .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] }),
    /** Length of the current window, ending at the due time. */
    window: duration,
    minimum_sample: minimumSampleSchema,
    /** Equal-frequency bins (reference quantiles) for psi, js and chi2. @defaultValue 10 */
    bins: z.number().int().min(2).max(1000).default(10),
    thresholds: z.partialRecord(z.enum(DRIFT_METHODS), methodThresholdSchema),
    escalation: z
      .object({
        /** @defaultValue `notify` */
        warning: z.enum(['notify', 'none']).default('notify'),
        /** @defaultValue `incident` (an incident and a rollback-candidate event) */
        critical: z.enum(['incident', 'notify', 'none']).default('incident'),
      })
      .strict()
      .default({ warning: 'notify', critical: 'incident' }),
  })
  .strict()
  .superRefine((d, ctx) => {
    for (const method of d.methods) {
      const t = d.thresholds[method];
      if (!t) {
        ctx.addIssue({ code: 'custom', path: ['thresholds', method], message: `method ${method} is listed but has no thresholds` });
        continue;
      }
      for (const criterion of ['statistic', 'p_value', 'effect_size'] as const) {
        if (t[criterion] && !METHOD_CRITERIA[method].includes(criterion)) {
          ctx.addIssue({ code: 'custom', path: ['thresholds', method, criterion], message: `${method} reports no ${criterion}; use ${METHOD_CRITERIA[method].join(' or ')}` });
        }
      }
    }
  });

const calibrationSchema = z
  .object({
    ...commonFields,
    kind: z.literal('calibration'),
    /** The metric under calibration, as the monitoring agent reports it in MONITORING manifests (`details.monitoring.metrics[name]`). */
    metric: z.object({ name: z.string().min(1), agent: z.string().min(1) }).strict(),
    /** The reference measurement: synthetic probe results, reported as MONITORING manifests by `probe_agent` with the same metric name. */
    reference: z
      .object({
        probe_agent: z.string().min(1),
        /** A probe reading is paired with the agent reading nearest in time within this tolerance. @defaultValue 5m */
        pairing_tolerance: duration.default('5m'),
      })
      .strict(),
    /** Data considered, ending at the due time. */
    window: duration,
    acceptance: z
      .object({
        /** The study passes when |mean(agent) − mean(probe)| / |mean(probe)| is below this. */
        max_relative_deviation: z.number().positive().max(1),
        /** @defaultValue 2 (Bland–Altman needs at least 2 pairs) */
        minimum_pairs: z.number().int().min(2).default(2),
      })
      .strict(),
    triggers: z
      .object({
        /** Run an extra calibration when the agent's `details.monitoring.agent_version` differs from the one the last study saw. */
        agent_version_change: z
          .object({
            /** How often the evidence is checked. @defaultValue 5m */
            check_every: duration.default('5m'),
            /** The extra run covers [first report of the new version, + settle). @defaultValue 1h */
            settle: duration.default('1h'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => c.metric.agent !== c.reference.probe_agent, { message: 'the probe must be a different agent from the one calibrated', path: ['reference', 'probe_agent'] });

export const studyDefinitionSchema = z.discriminatedUnion('kind', [driftSchema, calibrationSchema]);

export type StudyDefinition = z.output<typeof studyDefinitionSchema>;
export type DriftStudyDefinition = z.output<typeof driftSchema>;
export type CalibrationStudyDefinition = z.output<typeof calibrationSchema>;
export type MethodThreshold = z.output<typeof methodThresholdSchema>;
export type ThresholdLevels = z.output<typeof levelsSchema>;
export type MinimumSample = z.output<typeof minimumSampleSchema>;
export type StudySchedule = z.output<typeof scheduleSchema>;

/** One problem in a definition: `field` is a dotted path (`thresholds.ks.p_value`, `features[1]`), empty for the whole file. */
export interface DefinitionIssue {
  field: string;
  message: string;
}

export type ParsedDefinition = { ok: true; definition: StudyDefinition } | { ok: false; issues: DefinitionIssue[] };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

/** Validates a parsed YAML/JSON document; never throws. */
export function parseStudyDefinition(document: unknown): ParsedDefinition {
  const result = studyDefinitionSchema.safeParse(document);
  if (result.success) return { ok: true, definition: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message })) };
}
