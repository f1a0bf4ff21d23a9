import { getJson, postJson, readLocalAdminToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';
import { apiBaseUrl } from '../paths.js';
import { renderTable } from '../table.js';

const SUBCOMMANDS = ['place', 'lift', 'list'] as const;

interface Hold {
  hold_id: string;
  status: string;
  scope: string;
  model_id: string | null;
  period_from: string | null;
  period_to: string | null;
  reason: string;
  placed_at: string;
  placed_record: string;
  lifted_at: string | null;
}

export const hold = defineCommand({
  name: 'hold',
  summary: 'Place, lift and list legal holds (held evidence is never purged)',
  usage: 'place --tenant T --scope tenant|model|period [--model-id M] [--from D --to D] --reason R | lift <hold-id> --tenant T --reason R | list --tenant T [--json]',
  description: [
    'Through the audit API (PROBITY_API_URL, default http://127.0.0.1:8787); place and lift need an admin token, list an auditor\'s.',
    'A hold covers all of a tenant\'s evidence (--scope tenant), one model\'s (--scope model --model-id M) or what occurred in a period',
    '(--scope period --from D --to D; a bare --to date includes that day). While it is in force the retention purge keeps what it covers',
    'and reports how much it kept. Each place and lift is a signed LegalHold record in the evidence log (PLACED_RECORD is its content hash).',
  ].join('\n'),
  positionals: true,
  options: {
    tenant: { type: 'string', valueName: 'T', description: 'The tenant (required).' },
    scope: { type: 'string', valueName: 'S', description: 'place: tenant, model or period.' },
    'model-id': { type: 'string', valueName: 'M', description: 'place --scope model: the model.' },
    from: { type: 'string', valueName: 'DATE', description: 'place --scope period: start (YYYY-MM-DD or RFC 3339).' },
    to: { type: 'string', valueName: 'DATE', description: 'place --scope period: end (a bare date includes that day).' },
    reason: { type: 'string', valueName: 'TEXT', description: 'place, lift: why (required; kept in the signed record).' },
    json: { type: 'boolean', description: 'Print JSON.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN, else the local operator token).' },
  },
  async run({ values, positionals, io }) {
    const [sub, ...args] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError('CLI_USAGE', `expected one of ${SUBCOMMANDS.join(', ')}`);
    const tenant = stringOption(values, 'tenant');
    if (!tenant) throw new CliError('CLI_USAGE', `hold ${sub} needs --tenant`);
    if (sub === 'lift' ? args.length !== 1 : args.length > 0) throw new CliError('CLI_USAGE', sub === 'lift' ? 'hold lift needs one hold id (from `probity hold list`)' : `unexpected arguments: ${args.join(' ')}`);
    const token = stringOption(values, 'token') ?? (io.env.PROBITY_TOKEN || undefined) ?? (await readLocalAdminToken(io.env, 'CLI_USAGE', 'no token: pass --token, set PROBITY_TOKEN, or run the local services (`probity up`)'));
    const base = `${io.env.PROBITY_API_URL || apiBaseUrl(io.env)}/v1/tenants/${encodeURIComponent(tenant)}/holds`;
    const print = (value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

    if (sub === 'list') {
      const { holds } = await getJson<{ holds: Hold[] }>(base, { token });
      if (booleanOption(values, 'json')) print(holds);
      else {
        const covers = (h: Hold) => (h.scope === 'MODEL' ? `model ${h.model_id}` : h.scope === 'PERIOD' ? `${h.period_from} – ${h.period_to}` : 'whole tenant');
        io.stdout(renderTable(['HOLD_ID', 'STATUS', 'COVERS', 'PLACED_AT', 'PLACED_RECORD', 'REASON'], holds.map((h) => [h.hold_id, h.status, covers(h), h.placed_at, h.placed_record.slice(0, 16), h.reason.slice(0, 60)])));
      }
      return 0;
    }
    const reason = stringOption(values, 'reason');
    if (!reason) throw new CliError('CLI_USAGE', `hold ${sub} needs --reason`);
    if (sub === 'lift') {
      print(await postJson<Hold>(`${base}/${encodeURIComponent(args[0]!)}/lift`, { token }, { reason }));
      return 0;
    }
    const scope = stringOption(values, 'scope');
    if (!scope) throw new CliError('CLI_USAGE', 'hold place needs --scope tenant, model or period');
    const body: Record<string, string> = { scope, reason };
    const model = stringOption(values, 'model-id');
    if (model !== undefined) body.model_id = model;
    for (const name of ['from', 'to'] as const) {
      const v = stringOption(values, name);
      if (v !== undefined) body[name] = v;
    }
    const placed = await postJson<Hold>(base, { token }, body);
    print(placed);
    io.stderr(`hold ${placed.hold_id} placed; its LegalHold record ${placed.placed_record} is on its way to the log\n`);
    return 0;
  },
});
