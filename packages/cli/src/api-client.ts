import { readFile } from 'node:fs/promises';
import { dataDirLayout, loadCommonConfig } from '@probity/config';
import { CliError, stringOption, type CliErrorCode, type CliIo, type OptionValues } from './command.js';
import { apiBaseUrl } from './paths.js';

/** The audit API's base URL: PROBITY_API_URL, else the local one. */
export function auditApiUrl(env: NodeJS.ProcessEnv): string {
  return env.PROBITY_API_URL || apiBaseUrl(env);
}

/**
 * The bearer token for API calls: --token, then PROBITY_TOKEN, then the local
 * operator token that `probity up` writes (which acts for any tenant, so it
 * needs --tenant).
 */
export async function resolveToken(values: OptionValues, io: CliIo): Promise<{ token: string; tenant?: string }> {
  const tenant = stringOption(values, 'tenant');
  const explicit = stringOption(values, 'token') ?? (io.env.PROBITY_TOKEN || undefined);
  if (explicit) return { token: explicit, ...(tenant ? { tenant } : {}) };
  const file = localAdminTokenFile(io.env);
  const token = await readLocalAdminToken(io.env, 'CLI_USAGE', `no token: pass --token, set PROBITY_TOKEN, or run the local services (\`probity up\`, which writes ${file}) and pass --tenant`);
  if (!tenant) throw new CliError('CLI_USAGE', `the local operator token (${file}) acts for any tenant: say which with --tenant`);
  return { token, tenant };
}

export async function getJson<T>(url: string, auth: ApiAuth): Promise<T> {
  return requestJson<T>('GET', url, auth, undefined);
}

export async function postJson<T>(url: string, auth: { token: string; tenant?: string }, body: unknown): Promise<T> {
  return requestJson<T>('POST', url, auth, body);
}

async function requestJson<T>(method: 'GET' | 'POST', url: string, auth: ApiAuth, payload?: unknown): Promise<T> {
  const res = await apiRequest(method, url, auth, { timeoutMs: 60_000, ...(payload === undefined ? {} : { body: payload }) });
  return (await res.json()) as T;
}

export type ApiAuth = { token: string; tenant?: string };

/**
 * One audit API request: a successful Response (its body unread, so callers
 * may stream it), or a CliError naming what the API refused (the option of a
 * bad parameter) or that it does not answer.
 */
export async function apiRequest(method: 'GET' | 'POST', url: string, auth: ApiAuth, options: { body?: unknown; timeoutMs?: number } = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${auth.token}`,
        ...(auth.tenant ? { 'x-probity-tenant': auth.tenant } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
    });
  } catch (err) {
    throw new CliError('CLI_FAILED', `the audit API at ${new URL(url).origin} does not answer (${(err as Error).message}); is it running? (\`probity up\`, \`probity doctor\`)`);
  }
  if (res.ok) return res;
  let error: { message?: string; parameter?: string } | undefined;
  try {
    error = ((await res.json()) as { error?: { message?: string; parameter?: string } }).error;
  } catch {
    error = undefined;
  }
  const flag = error?.parameter ? ` (--${error.parameter.replace(/_/g, '-')})` : '';
  throw new CliError(res.status === 400 ? 'CLI_USAGE' : 'CLI_FAILED', error?.message ? `${error.message}${flag}` : `the audit API answered ${res.status}`);
}

function localAdminTokenFile(env: NodeJS.ProcessEnv): string {
  return dataDirLayout(loadCommonConfig(env).PROBITY_DATA_DIR).adminTokenFile;
}

/** The operator token `probity up` writes; `problem` is the error when it is missing. */
export async function readLocalAdminToken(env: NodeJS.ProcessEnv, code: CliErrorCode, problem: string): Promise<string> {
  try {
    return (await readFile(localAdminTokenFile(env), 'utf8')).trim();
  } catch {
    throw new CliError(code, problem);
  }
}
