import { CliError, booleanOption, defineCommand, intOption, stringOption } from '../command.js';

const SUBCOMMANDS = ['list', 'run', 'history'] as const;

/**
 * `probity studies list|run|history`: reads the study definitions and talks
 * to the scheduler's BullMQ queue in Redis. It never opens the warehouse (in
 * local mode the all-in-one process holds chDB), so `run` needs a running
 * scheduler to pick the run up.
 */
export const studies = defineCommand({
  name: 'studies',
  summary: 'List scheduled drift and calibration studies, run one now, show its history',
  usage: 'list | run <study-id> | history <study-id>  [--dir DIR] [--json] [--grace S] [--timeout S] [--due ISO] [--limit N]',
  description:
    'list: each study with its next due time (from the BullMQ job scheduler), last run and an OVERDUE mark when a due time passed without a completed run; exit 1 if any is overdue.\n' +
    'run <id>: enqueue an immediate run (idempotent per study version and due time), wait for it and print the StudyResult as JSON.\n' +
    'history <id>: past runs kept by the queue (completed with verdict and content hash, failed with the reason).',
  positionals: true,
  options: {
    dir: { type: 'string', valueName: 'DIR', description: 'Study definitions directory (default: PROBITY_STUDIES_DIR, else <repo>/studies).' },
    json: { type: 'boolean', description: 'Print JSON instead of a table (list, history).' },
    timeout: { type: 'string', valueName: 'S', description: 'run: seconds to wait for the result (default 300).' },
    due: { type: 'string', valueName: 'ISO', description: 'run: the due time to run for (default: now); rerunning a due time reproduces its result.' },
    limit: { type: 'string', valueName: 'N', description: 'history: at most N runs (default 50).' },
    grace: { type: 'string', valueName: 'S', description: 'list: seconds a due run may wait for a worker before it counts as overdue (default 60).' },
  },
  async run({ values, positionals, io }) {
    const [sub, studyId, ...extra] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError('CLI_USAGE', `expected one of ${SUBCOMMANDS.join(', ')}`);
    if (sub !== 'list' && !studyId) throw new CliError('CLI_USAGE', `studies ${sub} needs a study id`);
    if (extra.length > 0) throw new CliError('CLI_USAGE', `unexpected arguments: ${extra.join(' ')}`);

    const { loadSchedulerConfig, loadStudies, studiesStatus, studyHistory, renderStudiesTable, renderHistoryTable } = await import('@probity/scheduler');
    const { openStudyQueue } = await import('../study-runs.js');
    const config = loadSchedulerConfig(io.env);
    const definitions = await loadStudies(stringOption(values, 'dir') ?? config.PROBITY_STUDIES_DIR);
    const studyQueue = await openStudyQueue(config);
    const { queue } = studyQueue;
    try {
      const study = studyId === undefined ? undefined : definitions.find((s) => s.id === studyId);
      if (studyId !== undefined && !study) throw new CliError('CLI_FAILED', `no study ${studyId}; defined: ${definitions.map((s) => s.id).join(', ') || '(none)'}`);

      if (sub === 'list') {
        const statuses = await studiesStatus(queue, definitions, Date.now(), (intOption(values, 'grace', 0, 86_400) ?? 60) * 1000);
        io.stdout(booleanOption(values, 'json') ? `${JSON.stringify(statuses, null, 2)}\n` : renderStudiesTable(statuses));
        return statuses.some((s) => s.overdue) ? 1 : 0;
      }
      if (sub === 'history') {
        const records = (await studyHistory(queue, study!.id)).slice(0, intOption(values, 'limit', 1, 100_000) ?? 50);
        io.stdout(booleanOption(values, 'json') ? `${JSON.stringify(records, null, 2)}\n` : renderHistoryTable(records));
        return 0;
      }
      const dueText = stringOption(values, 'due');
      const due = dueText === undefined ? undefined : Date.parse(dueText);
      if (due !== undefined && !Number.isFinite(due)) throw new CliError('CLI_USAGE', `--due expects an ISO-8601 date-time, got ${JSON.stringify(dueText)}`);
      const timeoutS = intOption(values, 'timeout', 1, 86_400) ?? 300;
      const ret = await studyQueue.run(study!, due, timeoutS * 1000, (jobId) => io.stderr(`enqueued ${jobId}; waiting up to ${timeoutS} s for a scheduler worker\n`));
      io.stdout(`${JSON.stringify(ret.result, null, 2)}\n`);
      io.stderr(`verdict ${ret.verdict}, content hash ${ret.contentHash}\n`);
      return 0;
    } finally {
      await studyQueue.close();
    }
  },
});
