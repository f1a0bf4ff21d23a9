import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';

const SUBCOMMANDS = ['list', 'rotate', 'generate', 'register', 'require'] as const;

export const keys = defineCommand({
  name: 'keys',
  summary: 'Notary key rotation and emitter keys per tenant',
  usage: 'list | rotate | generate --name N [--out DIR] | register --tenant T --public-key B64 [--key-id ID] [--require-signatures] | require --tenant T [--off]',
  description:
    'list: the notary public keyring. rotate: add a new notary key and retire the current one now (the running notary switches without restart; old checkpoints stay verifiable). ' +
    'generate: create an emitter Ed25519 key pair (private PKCS#8 PEM file, public key printed). register: trust an emitter key for a tenant. ' +
    'require: make emitter signatures mandatory for a tenant (unsigned records then go to the DLQ).',
  positionals: true,
  options: {
    name: { type: 'string', valueName: 'N', description: 'Key name (generate).' },
    out: { type: 'string', valueName: 'DIR', description: 'Where generate writes <name>.pem (default: current directory).' },
    tenant: { type: 'string', valueName: 'T', description: 'Tenant (register, require).' },
    'public-key': { type: 'string', valueName: 'B64', description: 'Raw Ed25519 public key, base64 (register).' },
    'key-id': {
      type: 'string',
      valueName: 'ID',
      description: "The key id the emitter puts in its signatures, whatever its scheme (register; default: SHA-256 of the raw key, Probity's own). Signatures only hint at it: a signature verifies with any of the tenant's keys.",
    },
    'not-before': { type: 'string', valueName: 'ISO', description: 'Start of the key\'s validity (register; default now).' },
    'require-signatures': { type: 'boolean', description: 'Also require emitter signatures for the tenant (register).' },
    off: { type: 'boolean', description: 'Stop requiring signatures (require).' },
  },
  async run({ values, positionals, io }) {
    const sub = positionals[0] as (typeof SUBCOMMANDS)[number] | undefined;
    if (!sub || !SUBCOMMANDS.includes(sub)) throw new CliError('CLI_USAGE', `probity keys needs one of: ${SUBCOMMANDS.join(', ')}`);
    const { dataDirLayout, loadCommonConfig } = await import('@probity/config');
    const dataDir = loadCommonConfig(io.env).PROBITY_DATA_DIR;
    const layout = dataDirLayout(dataDir);
    const { NotaryKeyStore } = await import('@probity/keystore');
    const notaryKeys = () => new NotaryKeyStore(layout.notaryKeysDir).openOrCreate();

    if (sub === 'list') {
      io.stdout(`${JSON.stringify(notaryKeys().publicKeyring(), null, 2)}\n`);
      return 0;
    }
    if (sub === 'rotate') {
      const entry = notaryKeys().rotate(new Date());
      io.stdout(`${JSON.stringify({ rotated: true, newKey: entry }, null, 2)}\n`);
      return 0;
    }
    if (sub === 'generate') {
      const name = required(values, 'name');
      const { generateSigningKey, exportPrivateKeyPem, exportPublicKeyBase64 } = await import('@probity/crypto');
      const key = generateSigningKey(name);
      const out = stringOption(values, 'out') ?? '.';
      mkdirSync(out, { recursive: true });
      const file = path.join(out, `${name}.pem`);
      if (existsSync(file)) throw new CliError('CLI_FAILED', `${file} exists; keys are never overwritten — choose another --name or --out`);
      writeFileSync(file, exportPrivateKeyPem(key.privateKey), { mode: 0o600 });
      io.stdout(`${JSON.stringify({ name, keyId: key.keyId, publicKey: exportPublicKeyBase64(key.publicKeyRaw), privateKeyFile: file }, null, 2)}\n`);
      return 0;
    }

    const tenant = required(values, 'tenant');
    const file = layout.tenantPolicyFile;
    const { parseTenantPolicies } = await import('@probity/notary');
    const policies = existsSync(file) ? parseTenantPolicies(JSON.parse(readFileSync(file, 'utf8')), file) : { tenants: {} };
    const policy = policies.tenants[tenant] ?? { requireEmitterSignatures: false, emitterKeys: [], retentionYears: 7 };
    if (sub === 'register') {
      const { importPublicKeyBase64, keyIdFor, MAX_KEY_ID_LENGTH } = await import('@probity/crypto');
      const publicKey = required(values, 'public-key');
      let raw: Uint8Array;
      try {
        raw = importPublicKeyBase64(publicKey);
      } catch (err) {
        throw new CliError('CLI_USAGE', `--public-key is not a base64 raw Ed25519 public key: ${(err as Error).message}`);
      }
      const keyId = stringOption(values, 'key-id') ?? keyIdFor(raw);
      if (keyId === '' || keyId.length > MAX_KEY_ID_LENGTH || /[\u0000-\u001F\u007F]/.test(keyId)) {
        throw new CliError('CLI_USAGE', `--key-id must be 1 to ${MAX_KEY_ID_LENGTH} characters without control characters`);
      }
      const notBefore = stringOption(values, 'not-before') ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(notBefore))) throw new CliError('CLI_USAGE', `--not-before is not an ISO-8601 time: ${notBefore}`);
      // One entry per key: registering it again (under another id) replaces the old entry.
      policy.emitterKeys = [...policy.emitterKeys.filter((k) => k.keyId !== keyId && k.publicKey !== publicKey), { keyId, publicKey, notBefore: new Date(notBefore).toISOString() }];
      if (booleanOption(values, 'require-signatures')) policy.requireEmitterSignatures = true;
    } else {
      policy.requireEmitterSignatures = !booleanOption(values, 'off');
    }
    policies.tenants[tenant] = policy;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(policies, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    io.stdout(`${JSON.stringify({ tenant, ...policy }, null, 2)}\n`);
    return 0;
  },
});

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new CliError('CLI_USAGE', `--${name} is required`);
  return value;
}
