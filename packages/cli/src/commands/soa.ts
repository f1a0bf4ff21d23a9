import { randomUUID } from 'node:crypto';
import { auditApiUrl, getJson, resolveToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';

const IMPLEMENTATION = ['PLANNED', 'PARTIAL', 'IMPLEMENTED', 'NOT_IMPLEMENTED'] as const;

interface SoaAnswer {
  as_of: string;
  controls: number;
  excluded: number;
  undecided: number;
  entries: { control: string; applicable: boolean; justification: string; owner: string | null; implementation: string; decided_at: string; content_hash: string; changes: number }[];
}

/**
 * The Statement of Applicability: each change is an ApplicabilityStatement
 * record emitted like any evidence (signed and logged), so the SoA as of any
 * date is what the log held then.
 */
export const soa = defineCommand({
  name: 'soa',
  summary: 'Statement of Applicability: record that a control applies or is excluded (a logged record), show it as of any date',
  usage: 'set --tenant T --framework F --control ID --applicable yes|no --justification TEXT [--owner O] [--implementation STATUS] | show --tenant T --framework F [--as-of DATE] [--json]',
  description:
    'set emits one ApplicabilityStatement record through Kafka (as `probity emit` does) and prints its content hash once it is durable; the control must be one of the framework\'s catalog. ' +
    'show asks the audit API (GET /v1/soa) for each control\'s latest entry as the log held it at --as-of. Coverage shows excluded controls as not applicable.',
  positionals: true,
  options: {
    tenant: { type: 'string', valueName: 'T', description: 'Tenant.' },
    framework: { type: 'string', valueName: 'F', description: 'Framework id, e.g. iso42001 (`probity catalog list`).' },
    control: { type: 'string', valueName: 'ID', description: 'Control id, e.g. iso42001:A.10.3 (set).' },
    applicable: { type: 'string', valueName: 'yes|no', description: 'Whether the control applies (set).' },
    justification: { type: 'string', valueName: 'TEXT', description: 'Why it applies or is excluded (set).' },
    owner: { type: 'string', valueName: 'O', description: 'Who owns the control (set).' },
    implementation: { type: 'string', valueName: 'STATUS', description: `${IMPLEMENTATION.join(', ')} (set; default PLANNED when applicable, NOT_IMPLEMENTED when excluded).` },
    actor: { type: 'string', valueName: 'WHO', description: 'Who records the change (set; default user:$USER).' },
    'as-of': { type: 'string', valueName: 'DATE', description: 'The SoA as the log held it then (show; default now).' },
    json: { type: 'boolean', description: 'Print JSON (show).' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (show; default PROBITY_TOKEN, or the local operator token with --tenant).' },
  },
  async run({ values, positionals, io }) {
    const [verb] = positionals;
    const framework = stringOption(values, 'framework');
    if (!framework) throw new CliError('CLI_USAGE', '--framework is required, e.g. iso42001 (`probity catalog list`)');
    const { defaultCatalogs } = await import('@probity/catalog');
    const catalogs = defaultCatalogs();
    if (!catalogs.hasFramework(framework)) throw new CliError('CLI_USAGE', `unknown framework ${JSON.stringify(framework)}; known: ${catalogs.frameworks().map((f) => f.framework).join(', ')} (--framework)`);

    if (verb === 'show') {
      const auth = await resolveToken(values, io);
      const params = new URLSearchParams({ framework });
      const asOf = stringOption(values, 'as-of');
      if (asOf) params.set('as_of', asOf);
      const answer = await getJson<SoaAnswer>(`${auditApiUrl(io.env)}/v1/soa?${params}`, auth);
      if (booleanOption(values, 'json')) {
        io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
        return 0;
      }
      for (const e of answer.entries) {
        io.stdout(`${e.control.padEnd(22)} ${e.applicable ? 'applicable' : 'EXCLUDED  '} ${e.implementation.padEnd(15)} ${(e.owner ?? '').padEnd(24)} ${e.justification}\n`);
      }
      io.stderr(`as of ${answer.as_of}: ${answer.entries.length} of ${answer.controls} controls decided (${answer.excluded} excluded); the others apply by default\n`);
      return 0;
    }
    if (verb !== 'set') throw new CliError('CLI_USAGE', 'usage: probity soa set … | probity soa show … (see --help)');

    const tenant = stringOption(values, 'tenant');
    const control = stringOption(values, 'control');
    const applicableText = stringOption(values, 'applicable');
    const justification = stringOption(values, 'justification');
    if (!tenant) throw new CliError('CLI_USAGE', '--tenant is required');
    if (!control) throw new CliError('CLI_USAGE', '--control is required, e.g. iso42001:A.10.3');
    const known = catalogs.framework(framework).controls.some((c) => c.id === control);
    if (!known) throw new CliError('CLI_USAGE', `${framework} has no control ${JSON.stringify(control)}; \`probity catalog show ${framework}\` lists them (--control)`);
    if (applicableText !== 'yes' && applicableText !== 'no') throw new CliError('CLI_USAGE', '--applicable must be yes or no');
    if (!justification) throw new CliError('CLI_USAGE', '--justification is required: an SoA entry says why');
    const applicable = applicableText === 'yes';
    const implementation = stringOption(values, 'implementation') ?? (applicable ? 'PLANNED' : 'NOT_IMPLEMENTED');
    if (!(IMPLEMENTATION as readonly string[]).includes(implementation)) throw new CliError('CLI_USAGE', `--implementation must be one of ${IMPLEMENTATION.join(', ')}`);

    const { loadCommonConfig } = await import('@probity/config');
    const { createEmitter, EmitError } = await import('@probity/agent');
    const config = loadCommonConfig(io.env);
    const emitter = await createEmitter({ name: 'cli-soa', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, maxPackBytes: config.PROBITY_EMIT_PACK_BYTES });
    try {
      const record = {
        tenant,
        statement_id: randomUUID(),
        occurred_at: new Date().toISOString(),
        framework,
        control,
        applicable,
        justification,
        owner: stringOption(values, 'owner') ?? null,
        implementation,
        actor: stringOption(values, 'actor') ?? `user:${io.env.USER ?? 'unknown'}`,
        controls: [],
      };
      const { contentHash, durable } = await emitter.emit('ApplicabilityStatement', record, { format: 'json' }).catch((err: unknown) => {
        if (err instanceof EmitError && err.code === 'MANIFEST_INVALID') throw new CliError('CLI_USAGE', err.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
        throw err;
      });
      io.stdout(`${JSON.stringify({ contentHash, durable, control, applicable })}\n`);
      return 0;
    } finally {
      await emitter.close({ drainTimeoutMs: 3000 });
    }
  },
});
