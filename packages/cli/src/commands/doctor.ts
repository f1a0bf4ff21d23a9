import { booleanOption, CliError, defineCommand } from '../command.js';
import { COMPONENTS, type ComponentName } from '../checks/health.js';
import { renderHealthTable } from '../checks/render-table.js';
import { runChecks } from '../checks/run-checks.js';

export const doctor = defineCommand({
  name: 'doctor',
  summary: 'Check Kafka, Redis, the warehouse, the topics and the services',
  description: 'Checks each component of the local stack and says what to run for each one that is not healthy. Exit code 0 only when all are healthy.',
  options: {
    json: { type: 'boolean', description: 'Print the report as JSON on stdout.' },
    skip: {
      type: 'string',
      multiple: true,
      valueName: 'COMPONENT',
      description: `Leave a component out (repeatable), e.g. --skip services when only \`bash infra/up.sh\` ran. One of: ${COMPONENTS.join(', ')}.`,
    },
  },
  async run({ values, io }) {
    const skip = (values.skip as string[] | undefined) ?? [];
    const unknown = skip.filter((s) => !(COMPONENTS as readonly string[]).includes(s));
    if (unknown.length > 0) throw new CliError('CLI_USAGE', `--skip expects one of ${COMPONENTS.join(', ')}; got ${unknown.join(', ')}`);
    const report = await runChecks(io.env, { skip: skip as ComponentName[] });
    if (booleanOption(values, 'json')) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout(renderHealthTable(report.components) + (report.healthy ? '\nall healthy\n' : '\nnot healthy: see the ✗ lines\n'));
    return report.healthy ? 0 : 1;
  },
});
