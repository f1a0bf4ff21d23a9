import { getJson, postJson, readLocalAdminToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';
import { apiBaseUrl } from '../paths.js';
import { renderTable } from '../table.js';

const SUBCOMMANDS = ['list', 'show', 'replay'] as const;

interface Entry {
  id: string;
  dead_lettered_at: string;
  reason: string;
  detail: string;
  tenant: string | null;
  record_type: string | null;
  content_hash: string | null;
  replays: unknown[];
  replayed_as: { shard: number; leaf_index: number } | null;
  refused_again_as: string[];
}

/**
 * The token for DLQ calls: --token, PROBITY_TOKEN, else the local operator
 * token. Unlike other commands an operator token needs no --tenant here:
 * it sees every entry, also those whose tenant cannot be read.
 */
async function auth(values: OptionValues, io: CliIo): Promise<{ token: string }> {
  const explicit = stringOption(values, 'token') ?? (io.env.PROBITY_TOKEN || undefined);
  if (explicit) return { token: explicit };
  return { token: await readLocalAdminToken(io.env, 'CLI_USAGE', 'no token: pass --token, set PROBITY_TOKEN, or run the local services (`probity up`)') };
}

export const dlq = defineCommand({
  name: 'dlq',
  summary: 'List, show and replay refused records (the dead-letter queue)',
  usage: 'list [--tenant T] [--reason R] [--from D --to D] [--json] | show <id> | replay <id…> | replay --reason R [--tenant T]',
  description: [
    'Through the audit API (PROBITY_API_URL, default http://127.0.0.1:8787). An entry id is <partition>:<offset> of the DLQ topic.',
    'list: entries with reason, tenant, content hash and, once replayed, the log leaf the record became (REPLAYED_AS shard/index),',
    'or the new DLQ entry when the notary refused the replay again.',
    'show <id>: one entry with its headers, its bytes (base64) and the record decoded where its schema allows.',
    'replay <id…> | --reason R: sends the original bytes and headers to the notary again (after fixing the cause: registering a key,',
    'a schema, tenant policy). A record already logged gets no second leaf. Needs an admin token.',
    'A tenant token sees its own tenant\'s entries; the operator token sees every entry, also those whose tenant cannot be read.',
  ].join('\n'),
  positionals: true,
  options: {
    tenant: { type: 'string', valueName: 'T', description: 'Only this tenant\'s entries.' },
    reason: { type: 'string', valueName: 'R', description: 'Only this reason (SIGNATURE_REQUIRED, UNKNOWN_FINGERPRINT, …).' },
    from: { type: 'string', valueName: 'DATE', description: 'list: dead-lettered from (YYYY-MM-DD or RFC 3339).' },
    to: { type: 'string', valueName: 'DATE', description: 'list: dead-lettered to (a bare date includes that day).' },
    json: { type: 'boolean', description: 'Print JSON.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN, else the local operator token).' },
  },
  async run({ values, positionals, io }) {
    const [sub, ...args] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError('CLI_USAGE', `expected one of ${SUBCOMMANDS.join(', ')}`);
    const base = io.env.PROBITY_API_URL || apiBaseUrl(io.env);
    const token = await auth(values, io);
    const tenant = stringOption(values, 'tenant');
    const reason = stringOption(values, 'reason');

    if (sub === 'list') {
      if (args.length > 0) throw new CliError('CLI_USAGE', `dlq list takes no arguments (got ${args.join(' ')}); filter with --tenant, --reason, --from, --to`);
      const params = new URLSearchParams();
      for (const name of ['tenant', 'reason', 'from', 'to'] as const) {
        const v = stringOption(values, name);
        if (v !== undefined) params.set(name, v);
      }
      const { items } = await getJson<{ items: Entry[] }>(`${base}/v1/dlq?${params}`, token);
      if (booleanOption(values, 'json')) {
        io.stdout(`${JSON.stringify(items, null, 2)}\n`);
        return 0;
      }
      const rows = items.map((e) => [
        e.id, e.dead_lettered_at, e.reason, e.tenant ?? '(unknown)', e.record_type ?? '-', (e.content_hash ?? '').slice(0, 16),
        e.replayed_as
          ? `${e.replayed_as.shard}/${e.replayed_as.leaf_index}`
          : e.refused_again_as.length > 0
            ? `refused again: ${e.refused_again_as.join(',')}`
            : e.replays.length > 0
              ? 'pending'
              : '-',
        e.detail.slice(0, 60),
      ]);
      io.stdout(renderTable(['ID', 'DEAD_LETTERED_AT', 'REASON', 'TENANT', 'RECORD_TYPE', 'CONTENT_HASH', 'REPLAYED_AS', 'DETAIL'], rows));
      io.stderr(`${items.length} entr${items.length === 1 ? 'y' : 'ies'}\n`);
      return 0;
    }

    if (sub === 'show') {
      if (args.length !== 1) throw new CliError('CLI_USAGE', 'dlq show needs one entry id (<partition>:<offset>, from `probity dlq list`)');
      const entry = await getJson<Record<string, unknown>>(`${base}/v1/dlq/${encodeURIComponent(args[0]!)}`, token);
      io.stdout(`${JSON.stringify(entry, null, 2)}\n`);
      return 0;
    }

    if (args.length > 0 && reason !== undefined) throw new CliError('CLI_USAGE', 'dlq replay takes entry ids or --reason, not both');
    if (args.length === 0 && reason === undefined) throw new CliError('CLI_USAGE', 'dlq replay needs entry ids (<partition>:<offset>) or --reason R');
    const body = { ...(args.length > 0 ? { ids: args } : { reason }), ...(tenant ? { tenant } : {}) };
    const outcome = await postJson<{ replayed: { id: string; content_hash: string }[]; skipped: { id: string; why: string }[] }>(`${base}/v1/dlq/replay`, token, body);
    if (booleanOption(values, 'json')) io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
    else {
      for (const r of outcome.replayed) io.stdout(`replayed ${r.id} (${r.content_hash})\n`);
      for (const s of outcome.skipped) io.stdout(`skipped ${s.id}: ${s.why}\n`);
    }
    io.stderr(`${outcome.replayed.length} replayed, ${outcome.skipped.length} skipped; \`probity dlq list\` shows REPLAYED_AS once the notary logged them\n`);
    return outcome.skipped.length > 0 && outcome.replayed.length === 0 ? 1 : 0;
  },
});
