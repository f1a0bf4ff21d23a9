import path from 'node:path';

/** Where everything lives under PROBITY_DATA_DIR: one definition for every process and the CLI. */
export interface DataDirLayout {
  dataDir: string;
  logDir: string;
  runDir: string;
  servicesLog: string;
  servicesPid: string;
  /** Embedded chDB's tables (one process at a time). */
  chdbDir: string;
  /** The notary's keys: public keyring.json and private <keyId>.pem files. */
  notaryKeysDir: string;
  /** Content-addressed packs of notarized records. */
  evidenceStoreDir: string;
  /** Per-tenant policy: emitter keys, required signatures, retention. */
  tenantPolicyFile: string;
  /** The local operator's admin token, written by the services process (mode 0600). */
  adminTokenFile: string;
  /** The gates' policy registry: Rego sources, tests and wasm by SHA-256, accepted versions per tenant and gate. */
  gatePoliciesDir: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const logDir = path.join(dataDir, 'logs');
  const runDir = path.join(dataDir, 'run');
  return {
    dataDir,
    logDir,
    runDir,
    servicesLog: path.join(logDir, 'services.log'),
    servicesPid: path.join(runDir, 'services.pid'),
    chdbDir: path.join(dataDir, 'chdb'),
    notaryKeysDir: path.join(dataDir, 'keys', 'notary'),
    evidenceStoreDir: path.join(dataDir, 'evidence-store'),
    tenantPolicyFile: path.join(dataDir, 'config', 'tenants.json'),
    adminTokenFile: path.join(runDir, 'admin-token'),
    gatePoliciesDir: path.join(dataDir, 'gate-policies'),
  };
}
