import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseStudyDefinition, type StudyDefinition } from '@probity/catalog';
import { parse as parseYaml } from 'yaml';
import { SchedulerError } from '../errors.js';
import { cronProblem } from '../schedule/due-times.js';

const STUDY_FILE = /\.(ya?ml|json)$/i;

function invalid(file: string, field: string, message: string): SchedulerError {
  const where = field ? `${file}: ${field}` : file;
  return new SchedulerError('STUDY_DEFINITION_INVALID', `${where}: ${message}`, { details: { file, field } });
}

/** Parses and validates one study file's text; throws STUDY_DEFINITION_INVALID naming the file and the first bad field. */
export function parseStudyFile(file: string, text: string): StudyDefinition {
  let document: unknown;
  try {
    document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw invalid(file, '', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = parseStudyDefinition(document);
  if (!parsed.ok) {
    const [first, ...rest] = parsed.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.map((i) => i.field || '(file)').join(', ')})` : '';
    const error = invalid(file, first!.field, `${first!.message}${more}`);
    (error.details as Record<string, unknown>).issues = parsed.issues;
    throw error;
  }
  const { schedule } = parsed.definition;
  const problem = schedule.cron === undefined ? undefined : cronProblem(schedule.cron, schedule.tz);
  if (problem) throw invalid(file, 'schedule.cron', problem);
  return parsed.definition;
}

/**
 * Loads every `*.yaml`, `*.yml` and `*.json` in `dir` (not recursive), sorted
 * by file name. Two files defining the same study id is an error.
 */
export async function loadStudies(dir: string): Promise<StudyDefinition[]> {
  const names = (await readdir(dir)).filter((n) => STUDY_FILE.test(n)).sort();
  const studies: StudyDefinition[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const study = parseStudyFile(file, await readFile(file, 'utf8'));
    const earlier = seen.get(study.id);
    if (earlier) throw invalid(file, 'id', `study id ${study.id} is already defined in ${earlier}`);
    seen.set(study.id, file);
    studies.push(study);
  }
  return studies;
}
