import { readFile } from 'node:fs/promises';
import { loadCommonConfig } from '@probity/config';
import { booleanOption, CliError, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';
import { apiBaseUrl, runtimePaths } from '../paths.js';
import { servicesPid } from '../services-process.js';

interface TokenRecord {
  id: string;
  tenant: string;
  role: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

/** Where token commands take effect: the running services' API, or the warehouse itself. */
interface TokenBackend {
  describe: string;
  create(input: { tenant: string; role: string; expiresIn?: string }): Promise<TokenRecord & { token: string }>;
  revoke(id: string): Promise<TokenRecord | undefined>;
  list(tenant?: string): Promise<TokenRecord[]>;
  close(): Promise<void>;
}

export const token = defineCommand({
  name: 'token',
  summary: 'Create, list and revoke API tokens (auditor, emitter, admin)',
  usage: 'create --tenant T --role auditor|emitter|admin [--expires-in 90d] | list [--tenant T] | revoke ID',
  description: [
    'create: makes a random token and prints it once, as JSON on stdout (only its SHA-256 is stored).',
    'list: prints the tokens (ids, tenants, roles, dates; never the tokens). revoke ID: revokes a token by the id',
    'list shows; the API refuses it within seconds.',
    '',
    'While the local services run (`probity up`, embedded chDB), these go through the running API with the',
    'admin credential it writes to <PROBITY_DATA_DIR>/run/admin-token; otherwise (or with CLICKHOUSE_URL) they',
    'open the warehouse directly. An admin token with --tenant "*" is an operator token for every tenant.',
  ].join('\n'),
  positionals: true,
  options: {
    tenant: { type: 'string', valueName: 'T', description: 'Tenant of the token (create), or whose tokens to list.' },
    role: { type: 'string', valueName: 'ROLE', description: 'auditor (read-only), emitter (ingest) or admin.' },
    'expires-in': { type: 'string', valueName: 'DURATION', description: 'Lifetime, e.g. 90d, 12h, 2w, 1y (default: until revoked).' },
    json: { type: 'boolean', description: 'list: print JSON instead of a table.' },
  },
  async run({ values, positionals, io }) {
    const [action, ...args] = positionals;
    if (action !== 'create' && action !== 'list' && action !== 'revoke') {
      throw new CliError('CLI_USAGE', 'expected a subcommand: create, list or revoke');
    }
    if (action !== 'revoke' && args.length > 0) throw new CliError('CLI_USAGE', `unexpected argument ${JSON.stringify(args[0])}`);
    const backend = await openBackend(io);
    try {
      if (action === 'create') return await create(backend, values, io);
      if (action === 'list') return await list(backend, values, io);
      if (args.length !== 1) throw new CliError('CLI_USAGE', 'revoke takes one token id (see `probity token list`)');
      const revoked = await backend.revoke(args[0]!);
      if (!revoked) throw new CliError('CLI_FAILED', `no token with id ${args[0]}`);
      io.stdout(`${JSON.stringify(revoked)}\n`);
      return 0;
    } finally {
      await backend.close();
    }
  },
});

async function create(backend: TokenBackend, values: OptionValues, io: CliIo): Promise<number> {
  const tenant = stringOption(values, 'tenant');
  const role = stringOption(values, 'role');
  if (!tenant) throw new CliError('CLI_USAGE', 'create needs --tenant');
  if (!role) throw new CliError('CLI_USAGE', 'create needs --role auditor, emitter or admin');
  const expiresIn = stringOption(values, 'expires-in');
  const created = await backend.create({ tenant, role, ...(expiresIn ? { expiresIn } : {}) });
  io.stdout(`${JSON.stringify(created)}\n`);
  io.stderr(`Token ${created.id} for ${created.tenant} (${created.role}) created via ${backend.describe}. Store it now: it is not shown again.\n`);
  return 0;
}

async function list(backend: TokenBackend, values: OptionValues, io: CliIo): Promise<number> {
  const tokens = await backend.list(stringOption(values, 'tenant'));
  if (booleanOption(values, 'json')) {
    io.stdout(`${JSON.stringify(tokens, null, 2)}\n`);
    return 0;
  }
  const header = ['ID', 'TENANT', 'ROLE', 'CREATED', 'EXPIRES', 'REVOKED'];
  const rows = tokens.map((t) => [t.id, t.tenant, t.role, t.created_at, t.expires_at ?? '-', t.revoked_at ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) io.stdout(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}

async function openBackend(io: CliIo): Promise<TokenBackend> {
  const config = loadCommonConfig(io.env);
  const dataDir = config.PROBITY_DATA_DIR;
  if (!config.CLICKHOUSE_URL && (await servicesPid(dataDir)) !== undefined) return apiBackend(io.env, dataDir);
  return warehouseBackend(config.CLICKHOUSE_URL, config.CLICKHOUSE_DATABASE, runtimePaths(dataDir).chdbDir);
}

async function apiBackend(env: NodeJS.ProcessEnv, dataDir: string): Promise<TokenBackend> {
  const { adminTokenPath } = await import('@probity/audit-api');
  const file = adminTokenPath(dataDir);
  let admin: string;
  try {
    admin = (await readFile(file, 'utf8')).trim();
  } catch {
    throw new CliError(
      'CLI_FAILED',
      `the local services are running and hold the embedded warehouse, but ${file} is missing, so this command cannot reach the API as admin. Restart them (\`probity down && probity up\`) to write a fresh admin token, or stop them (\`probity down\`) and run this command again to use the warehouse directly.`,
    );
  }
  const base = env.PROBITY_API_URL || apiBaseUrl(env);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T | undefined> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new CliError('CLI_FAILED', `the local services are running but their API at ${base} does not answer (${(err as Error).message}); check \`probity doctor\``);
    }
    const payload = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; parameter?: string } } & T;
    if (res.status === 404 && method === 'POST' && path.endsWith('/revoke')) return undefined;
    if (!res.ok) {
      const e = payload.error;
      throw new CliError(res.status === 400 ? 'CLI_USAGE' : 'CLI_FAILED', e ? `${e.message}${e.parameter ? ` (${e.parameter})` : ''}` : `the API answered ${res.status}`);
    }
    return payload;
  };
  return {
    describe: `the running API at ${base}`,
    async create(input) {
      return (await call<TokenRecord & { token: string }>('POST', '/v1/admin/tokens', {
        tenant: input.tenant,
        role: input.role,
        ...(input.expiresIn ? { expires_in: input.expiresIn } : {}),
      }))!;
    },
    revoke: (id) => call<TokenRecord>('POST', `/v1/admin/tokens/${encodeURIComponent(id)}/revoke`),
    async list(tenant) {
      return (await call<{ tokens: TokenRecord[] }>('GET', `/v1/admin/tokens${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`))!.tokens;
    },
    async close() {},
  };
}

async function warehouseBackend(clickhouseUrl: string | undefined, database: string, chdbDir: string): Promise<TokenBackend> {
  const { openWarehouse, runMigrations, WarehouseError } = await import('@probity/warehouse');
  const api = await import('@probity/audit-api');
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  try {
    warehouse = await openWarehouse({ ...(clickhouseUrl ? { clickhouseUrl } : {}), database, dataDir: chdbDir });
  } catch (err) {
    if (err instanceof WarehouseError && err.code === 'DATA_DIR_LOCKED') {
      throw new CliError(
        'CLI_FAILED',
        `another process holds the embedded warehouse at ${chdbDir} and it is not the local services process this CLI knows of. Stop that process, or start the services with \`probity up\` (token commands then go through their API).`,
      );
    }
    throw err;
  }
  await runMigrations(warehouse, { database });
  const asUsage = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof api.AuditApiError && err.code === 'BAD_REQUEST') throw new CliError('CLI_USAGE', `${err.message}${err.parameter ? ` (${err.parameter})` : ''}`);
      throw err;
    }
  };
  return {
    describe: clickhouseUrl ? 'the ClickHouse server' : `the embedded warehouse at ${chdbDir}`,
    create: (input) =>
      asUsage(async () => {
        let expiresAt: Date | undefined;
        if (input.expiresIn !== undefined) {
          const ms = api.parseExpiresIn(input.expiresIn);
          if (ms === undefined) throw new CliError('CLI_USAGE', '--expires-in must look like 90d, 12h, 30m, 2w or 1y');
          expiresAt = new Date(Date.now() + ms);
        }
        const created = await api.createToken(warehouse, { tenant: input.tenant, role: input.role as 'auditor', ...(expiresAt ? { expiresAt } : {}) });
        return { token: created.token, ...created.record };
      }),
    revoke: (id) => asUsage(() => api.revokeToken(warehouse, id)),
    list: (tenant) => asUsage(() => api.listTokens(warehouse, tenant === undefined ? {} : { tenant })),
    close: () => warehouse.close(),
  };
}
