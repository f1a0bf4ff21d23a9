import { z } from 'zod';

/** `iso42001`, `nistairmf`: the prefix of every control id evidence records carry. */
export const FRAMEWORK_ID_PATTERN = /^[a-z0-9]{2,32}$/;
/** A framework's own numbering: `A.6.2.4`, `9.1.3`, `Art.12`, `GOVERN-1.1`. With the framework id it must match the schemas' control pattern. */
export const CONTROL_REF_PATTERN = /^[A-Za-z0-9._-]+$/;

export const CONTROL_KINDS = ['clause', 'annex-control', 'article', 'subcategory'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

/** How the `from` control relates to the `to` control: `subset` means `from` asks for less than `to`. */
export const RELATIONS = ['equal', 'subset', 'superset', 'intersects'] as const;
export type Relation = (typeof RELATIONS)[number];

const ref = z.string().regex(CONTROL_REF_PATTERN, 'must be the framework\'s own numbering: letters, digits, ".", "_" or "-"');
const title = z.string().trim().min(1).max(120);
const version = z.number().int().min(1);

const groupSchema = z.strictObject({ ref, title, parent: ref.optional() });
const controlSchema = z.strictObject({ ref, title, kind: z.enum(CONTROL_KINDS), group: ref, parent: ref.optional() });

/** One framework edition as a data file (`data/frameworks/<framework>.json`). */
export const frameworkFileSchema = z.strictObject({
  framework: z.string().regex(FRAMEWORK_ID_PATTERN, 'must be 2-32 lowercase letters or digits, e.g. iso42001'),
  name: title,
  title: z.string().min(1),
  /** The edition of the standard, e.g. `2022`, `2024/1689`, `1.0`. */
  edition: z.string().min(1).max(32),
  /** The version of this data file: raised whenever its content changes, so results can name what they used. */
  version,
  publisher: z.string().min(1),
  note: z.string().min(1),
  /** Old refs that evidence may still carry, each to the ref it now is. */
  aliases: z.record(ref, ref).optional(),
  groups: z.array(groupSchema),
  controls: z.array(controlSchema).min(1),
});
export type FrameworkFile = z.infer<typeof frameworkFileSchema>;

const side = z.strictObject({ framework: z.string().regex(FRAMEWORK_ID_PATTERN), edition: z.string().min(1) });

/** A mapping set between two framework editions (`data/crosswalks/<id>.json`). */
export const crosswalkFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{3,80}$/),
  version,
  from: side,
  to: side,
  source: z.strictObject({
    name: z.string().min(1),
    /** `published`: the mapping a standards body publishes; `editorial`: our own judgement. */
    kind: z.enum(['published', 'editorial']),
    url: z.string().url().optional(),
    note: z.string().optional(),
  }),
  mappings: z
    .array(z.strictObject({ from: ref, to: ref, relation: z.enum(RELATIONS), note: z.string().optional() }))
    .min(1),
});
export type CrosswalkFile = z.infer<typeof crosswalkFileSchema>;
