import { DEFAULT_JSON_LIMIT, MAX_EXPORT_LIMIT, MAX_JSON_LIMIT } from './query/params.js';
import { TENANT_HEADER } from './auth.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const errorResponse = (description: string): Json => ({ description, content: json(ref('Error')) });

const queryParam = (name: string, description: string, schema: Json, required = false): Json => ({ name, in: 'query', required, description, schema });
const pathParam = (name: string, description: string, schema: Json): Json => ({ name, in: 'path', required: true, description, schema });

const tenantHeader: Json = {
  name: TENANT_HEADER,
  in: 'header',
  required: false,
  description: 'Only with an operator admin token (tenant "*"): the tenant to act for. A tenant token may omit it or must name its own tenant.',
  schema: { type: 'string' },
};

const HEX64: Json = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' };
const DATE: Json = { type: 'string', description: 'YYYY-MM-DD (UTC) or RFC 3339 timestamp with zone' };

const common = {
  400: errorResponse('Bad request: `error.parameter` names the parameter, path segment, header or body field at fault'),
  401: errorResponse('No bearer token, or it is unknown, revoked or expired'),
  403: errorResponse('The token\'s role or tenant may not use this endpoint'),
};

const evidenceListParameters: Json[] = [
  queryParam('model_id', 'Only records of this model', { type: 'string' }),
  queryParam('stage', 'Only this pipeline stage (TRAINING, EVALUATION, …)', { type: 'string' }),
  queryParam('run_id', 'Only records of this run (read through the run lookup table)', { type: 'string' }),
  queryParam('record_type', 'Only this record type (EvidenceManifest, StudyResult, …)', { type: 'string' }),
  queryParam('control', 'Only records mapped to this control id, e.g. iso42001:A.6.2.4', { type: 'string' }),
  queryParam('from', 'occurred_at at or after this instant; a bare date is UTC midnight', DATE),
  queryParam('to', 'occurred_at before this instant; a bare date includes that whole day', DATE),
  queryParam('limit', `Page size for format=json (1–${MAX_JSON_LIMIT}, default ${DEFAULT_JSON_LIMIT}); row cap for ndjson/csv (default: all, max ${MAX_EXPORT_LIMIT})`, { type: 'integer', minimum: 1 }),
  queryParam('cursor', 'next_cursor of the previous page, unchanged. Bound to the tenant, filters and order that issued it (400 otherwise)', { type: 'string' }),
  queryParam('order', 'desc (newest first, default) or asc, by (occurred_at, content_hash)', { type: 'string', enum: ['asc', 'desc'], default: 'desc' }),
  queryParam('format', 'json pages, or a streamed export: ndjson (one record with its bundle per line) or csv (summary columns)', { type: 'string', enum: ['json', 'ndjson', 'csv'], default: 'json' }),
];

/** The API description served at /openapi.json. A test checks every registered route is in it. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Probity audit API',
    version: '1.0.0',
    description:
      'Read-only access for auditors to a tenant\'s notarized evidence: point and range queries, exports, coverage of controls, and Merkle log proofs. ' +
      'Every record comes with an evidence bundle that verifies offline with the notary\'s public keys (GET /v1/keys). ' +
      'Errors are `{ "error": { "code", "message", "parameter"? } }`. Unknown query parameters are rejected.',
  },
  servers: [{ url: 'http://127.0.0.1:8787' }],
  security: [{ bearer: [] }],
  paths: {
    '/healthz': {
      get: {
        summary: 'Liveness and warehouse reachability',
        security: [],
        responses: { 200: { description: 'Healthy', content: json(ref('Health')) }, 503: { description: 'Warehouse unreachable', content: json(ref('Health')) } },
      },
    },
    '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } } } },
    '/v1/keys': {
      get: {
        summary: 'The notary\'s public keyring (fetch once, verify offline)',
        security: [],
        responses: { 200: { description: 'Public keys with validity windows', content: json(ref('Keyring')) }, 400: common[400], 404: errorResponse('No keyring configured or created yet') },
      },
    },
    '/v1/evidence/{contentHash}': {
      get: {
        summary: 'One record: decoded JSON, its evidence bundle as notarized, and a fresh inclusion proof against the shard\'s latest checkpoint',
        parameters: [pathParam('contentHash', 'SHA-256 of the record\'s Avro bytes, hex', HEX64), tenantHeader],
        responses: {
          200: { description: 'The record', content: json(ref('EvidenceRecord')) },
          ...common,
          404: errorResponse('No record with this hash for this tenant (also when another tenant has it)'),
        },
      },
    },
    '/v1/evidence': {
      get: {
        summary: 'Range query with keyset pagination, or a streamed export',
        parameters: [...evidenceListParameters, tenantHeader],
        responses: {
          200: {
            description: 'A page (json), or a stream (ndjson, csv)',
            content: {
              'application/json': { schema: ref('EvidencePage') },
              'application/x-ndjson': { schema: ref('EvidenceDocument') },
              'text/csv': { schema: { type: 'string', description: 'Header line, then one line per record: content_hash, record_type, schema_fingerprint, model_id, model_version, stage, run_id, manifest_id, occurred_at, notarized_at, principal, controls (;-separated), shard, leaf_index' } },
            },
          },
          ...common,
        },
      },
    },
    '/v1/coverage': {
      get: {
        summary: 'Evidence counts per control over a period, and the controls without evidence (gaps)',
        parameters: [
          queryParam('from', 'Start of the period (inclusive)', DATE, true),
          queryParam('to', 'End of the period (exclusive; a bare date includes that day)', DATE, true),
          queryParam('framework', 'Only this framework\'s controls (iso42001, iso27001, iso9001, euaiact, nistairmf, or any prefix used in control ids)', { type: 'string' }),
          tenantHeader,
        ],
        responses: { 200: { description: 'Coverage report', content: json(ref('Coverage')) }, ...common },
      },
    },
    '/v1/coverage/matrix': {
      get: {
        summary: 'Coverage of every control of a framework per month or quarter, as the log knew it at as_of (bitemporal); computed by @probity/compliance from the records and the requirement set',
        parameters: [
          queryParam('framework', 'Framework (iso42001, iso27001, iso9001, euaiact)', { type: 'string' }, true),
          queryParam('from', 'Start of the audit period (inclusive)', DATE, true),
          queryParam('to', 'End of the audit period (a bare date includes that day)', DATE, true),
          queryParam('granularity', 'month or quarter (default quarter)', { type: 'string', enum: ['month', 'quarter'] }),
          queryParam('as_of', 'Only what the log held at this time counts (default now; not in the future, not before the tenant\'s first record)', DATE),
          queryParam('model_id', 'One AI system only', { type: 'string' }),
          queryParam('format', 'json (default) or csv (one line per control and period)', { type: 'string', enum: ['json', 'csv'] }),
          tenantHeader,
        ],
        responses: { 200: { description: 'Coverage matrix: rows of controls, cells of periods (covered, stale, missing, nonconforming, not_applicable) with counts, records, late records and the reason', content: json({ type: 'object' }) }, ...common },
      },
    },
    '/v1/soa': {
      get: {
        summary: 'The Statement of Applicability of a framework as the log held it at as_of: per control, its latest ApplicabilityStatement record (controls without one apply)',
        parameters: [
          queryParam('framework', 'Framework', { type: 'string' }, true),
          queryParam('as_of', 'As of this time (default now)', DATE),
          tenantHeader,
        ],
        responses: { 200: { description: 'SoA entries with the record each comes from', content: json({ type: 'object' }) }, ...common },
      },
    },
    '/v1/gaps': {
      get: {
        summary: 'Gaps of the coverage matrix (same parameters): each run of missing, stale or nonconforming periods, open or closed with the closing record, with a POA&M item',
        parameters: [
          queryParam('framework', 'Framework', { type: 'string' }, true),
          queryParam('from', 'Start of the audit period', DATE, true),
          queryParam('to', 'End of the audit period', DATE, true),
          queryParam('granularity', 'month or quarter', { type: 'string', enum: ['month', 'quarter'] }),
          queryParam('as_of', 'As of this time', DATE),
          queryParam('model_id', 'One AI system only', { type: 'string' }),
          queryParam('format', 'json (default) or csv', { type: 'string', enum: ['json', 'csv'] }),
          tenantHeader,
        ],
        responses: { 200: { description: 'Gap list with POA&M items', content: json({ type: 'object' }) }, ...common },
      },
    },
    '/v1/audit-packages': {
      post: {
        summary: 'Build and stream a signed audit package (gzip tar) of the tenant: SoA, coverage matrix, gaps and POA&M, study KPIs, incidents, oversight, OSCAL assessment-results and POA&M, an HTML report, every record coverage used with its proof against one checkpoint per shard, consistency proofs from earlier checkpoints, data files and keyring, under a DSSE-signed manifest; verify with `probity audit verify`',
        parameters: [tenantHeader],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['framework', 'from', 'to'],
            additionalProperties: false,
            properties: {
              framework: { type: 'string' },
              from: DATE,
              to: DATE,
              granularity: { type: 'string', enum: ['month', 'quarter'] },
              as_of: DATE,
              model_id: { type: 'string' },
              previous_checkpoints: { type: 'array', description: 'checkpoints.json of an earlier package: consistency proofs from them are included', items: { type: 'object', required: ['shard', 'size', 'root_hash', 'signed_note'], properties: { shard: { type: 'integer' }, size: { type: 'integer' }, root_hash: { type: 'string' }, signed_note: { type: 'string' } } } },
              applicability: { type: 'array', description: 'Statement of Applicability entries (default: every control applicable)', items: { type: 'object', required: ['control', 'applicable'], properties: { control: { type: 'string' }, applicable: { type: 'boolean' }, justification: { type: 'string' }, owner: { type: 'string' } } } },
            },
          }),
        },
        responses: { 200: { description: 'The package', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } }, ...common },
      },
    },
    '/v1/catalogs': {
      get: {
        summary: 'The frameworks and crosswalks Probity has as data files, each with its edition and data version',
        responses: { 200: { description: 'Catalog index', content: json(ref('CatalogIndex')) }, ...common },
      },
    },
    '/v1/catalogs/{framework}': {
      get: {
        summary: 'One framework: its groups and controls (identifiers and short titles in our own words, not the standard\'s text)',
        parameters: [pathParam('framework', 'Framework id: iso42001, iso27001, iso9001, euaiact, nistairmf', { type: 'string' })],
        responses: { 200: { description: 'Framework', content: json(ref('Framework')) }, ...common, 404: errorResponse('No such framework; the message lists the known ones') },
      },
    },
    '/v1/crosswalks': {
      get: {
        summary: 'The mapping set from one framework to another (stored either way round; subset and superset swap when turned around)',
        parameters: [
          queryParam('from', 'Framework to map from', { type: 'string' }, true),
          queryParam('to', 'Framework to map to', { type: 'string' }, true),
          queryParam('control', 'Only the mappings of this control id (of either framework), e.g. euaiact:Art.9', { type: 'string' }),
        ],
        responses: {
          200: { description: 'Crosswalk', content: json(ref('Crosswalk')) },
          ...common,
          404: errorResponse('No crosswalk between the two frameworks; the message lists the available pairs'),
        },
      },
    },
    '/v1/log/{shard}/checkpoint': {
      get: {
        summary: 'The shard\'s latest signed checkpoint',
        parameters: [pathParam('shard', 'Log shard (Kafka partition)', { type: 'integer', minimum: 0, maximum: 65535 })],
        responses: { 200: { description: 'Checkpoint', content: json(ref('Checkpoint')) }, ...common, 404: errorResponse('The shard has no checkpoint') },
      },
    },
    '/v1/log/{shard}/proof/inclusion': {
      get: {
        summary: 'RFC 6962 inclusion proof of leaf `index` in the tree of size `size`',
        parameters: [
          pathParam('shard', 'Log shard', { type: 'integer', minimum: 0, maximum: 65535 }),
          queryParam('index', 'Leaf index', { type: 'integer', minimum: 0 }, true),
          queryParam('size', 'Tree size (default: the latest checkpoint\'s); beyond the latest checkpoint → 400', { type: 'integer', minimum: 1 }),
        ],
        responses: {
          200: { description: 'Proof', content: json(ref('InclusionProof')) },
          ...common,
          404: errorResponse('The shard has no checkpoint'),
          500: errorResponse('LOG_INCONSISTENT: stored leaves disagree with the signed checkpoint'),
          503: errorResponse('LOG_NOT_READY: leaves of the checkpoint are still being written; retry'),
        },
      },
    },
    '/v1/log/{shard}/proof/consistency': {
      get: {
        summary: 'RFC 6962 consistency proof between tree sizes `from` and `to`',
        parameters: [
          pathParam('shard', 'Log shard', { type: 'integer', minimum: 0, maximum: 65535 }),
          queryParam('from', 'Older tree size', { type: 'integer', minimum: 0 }, true),
          queryParam('to', 'Newer tree size (default: the latest checkpoint\'s); beyond it → 400', { type: 'integer', minimum: 0 }),
        ],
        responses: {
          200: { description: 'Proof', content: json(ref('ConsistencyProof')) },
          ...common,
          404: errorResponse('The shard has no checkpoint'),
          500: errorResponse('LOG_INCONSISTENT'),
          503: errorResponse('LOG_NOT_READY'),
        },
      },
    },
    '/v1/admin/tokens': {
      post: {
        summary: 'Create a token (admin). The token is in this answer only',
        requestBody: { required: true, content: json(ref('TokenRequest')) },
        responses: { 201: { description: 'Created', content: json(ref('CreatedToken')) }, ...common },
      },
      get: {
        summary: 'List tokens (admin): ids, roles, dates; never the tokens',
        parameters: [queryParam('tenant', 'Only this tenant\'s tokens', { type: 'string' })],
        responses: { 200: { description: 'Tokens', content: json({ type: 'object', properties: { tokens: { type: 'array', items: ref('Token') } } }) }, ...common },
      },
    },
    '/v1/admin/tokens/{id}/revoke': {
      post: {
        summary: 'Revoke a token (admin); effective within seconds',
        parameters: [pathParam('id', 'Token id (16 hex characters, from list)', { type: 'string', pattern: '^[0-9a-f]{16}$' })],
        responses: { 200: { description: 'Revoked', content: json(ref('Token')) }, ...common, 404: errorResponse('No such token') },
      },
    },
    '/v1/gates/{gate}/backtest': {
      post: {
        summary: 'What a candidate policy (compiled wasm, base64) would have answered for every run that passed the gate\'s stage in [from, to), on the evidence held now (auditor or admin token). Nothing is logged',
        parameters: [pathParam('gate', 'promotion or deployment', { type: 'string', enum: ['promotion', 'deployment'] })],
        requestBody: { required: true, content: json({ type: 'object', required: ['wasm_base64', 'from', 'to'], additionalProperties: false, properties: { wasm_base64: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } } }) },
        responses: {
          200: {
            description: 'Runs gated in the window, how many the policy would allow, and each it would deny with its reasons',
            content: json({ type: 'object', properties: { runs: { type: 'integer' }, would_allow: { type: 'integer' }, would_deny: { type: 'array', items: { type: 'object', properties: { run_id: { type: 'string' }, model_id: { type: ['string', 'null'] }, gated_at: { type: 'string' }, input_sha256: { type: 'string' }, reasons: { type: 'array', items: { type: 'string' } } } } } } }),
          },
          ...common,
          503: { description: 'GATE_EVIDENCE_UNAVAILABLE, GATE_POLICY_UNAVAILABLE or GATE_UNAVAILABLE', content: json({ type: 'object' }) },
        },
      },
    },
    '/v1/gates/{gate}/check': {
      post: {
        summary: 'Evaluate a promotion or deployment gate for a run (emitter or admin token): reads the run\'s evidence, evaluates the gate\'s latest accepted policy version, logs a PolicyDecision record and answers once it is durable. 200 for allow and deny; 503 when the gate cannot decide (fails closed)',
        parameters: [pathParam('gate', 'promotion or deployment', { type: 'string', enum: ['promotion', 'deployment'] })],
        requestBody: { required: true, content: json({ type: 'object', required: ['run_id'], additionalProperties: false, properties: { run_id: { type: 'string', minLength: 1, maxLength: 256 } } }) },
        responses: {
          200: {
            description: 'The decision (result ALLOW or DENY, every reason, the policy version, the input digest, the PolicyDecision record\'s content hash)',
            content: json({
              type: 'object',
              properties: {
                result: { enum: ['ALLOW', 'DENY'] }, allow: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'string' } },
                run_id: { type: 'string' }, input_sha256: { type: 'string' },
                policy: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, source_sha256: { type: 'string' }, wasm_sha256: { type: 'string' } } },
                decision: { type: 'object', properties: { decision_id: { type: 'string' }, content_hash: { type: 'string' }, durable: { enum: ['kafka', 'spool'] }, occurred_at: { type: 'string' } } },
              },
            }),
          },
          ...common,
          503: { description: 'No decision: GATE_EVIDENCE_UNAVAILABLE, GATE_POLICY_UNAVAILABLE, GATE_DECISION_NOT_LOGGED or GATE_UNAVAILABLE', content: json({ type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } }) },
        },
      },
    },
    '/v1/tenants/{tenant}/retention': {
      post: {
        summary: 'Set a tenant\'s evidence retention in years (admin; auditors get 403)',
        parameters: [pathParam('tenant', 'Tenant', { type: 'string' })],
        requestBody: { required: true, content: json({ type: 'object', required: ['retention_years'], additionalProperties: false, properties: { retention_years: { type: 'integer', minimum: 1, maximum: 100 } } }) },
        responses: { 200: { description: 'Stored', content: json({ type: 'object' }) }, ...common },
      },
    },
    '/v1/tenants/{tenant}/holds': {
      post: {
        summary: 'Place a legal hold (admin): on the whole tenant, a model, or a period of occurrence; emitted as a signed LegalHold record, and the retention purge keeps what it covers',
        parameters: [pathParam('tenant', 'Tenant', { type: 'string' })],
        requestBody: {
          required: true,
          content: json({
            type: 'object', required: ['scope', 'reason'], additionalProperties: false,
            properties: { scope: { type: 'string', enum: ['tenant', 'model', 'period'] }, model_id: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, reason: { type: 'string' } },
          }),
        },
        responses: { 201: { description: 'Placed (placed_record: the content hash of its LegalHold record)', content: json({ type: 'object' }) }, ...common, 503: errorResponse('No emitter for legal hold records') },
      },
      get: {
        summary: 'The tenant\'s legal holds, placed and lifted (auditor or admin)',
        parameters: [pathParam('tenant', 'Tenant', { type: 'string' })],
        responses: { 200: { description: 'Holds', content: json({ type: 'object', properties: { holds: { type: 'array', items: { type: 'object' } } } }) }, ...common },
      },
    },
    '/v1/tenants/{tenant}/holds/{id}/lift': {
      post: {
        summary: 'Lift a legal hold (admin); emitted as a signed LegalHold record',
        parameters: [pathParam('tenant', 'Tenant', { type: 'string' }), pathParam('id', 'Hold id', { type: 'string' })],
        requestBody: { required: true, content: json({ type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string' } } }) },
        responses: { 200: { description: 'Lifted', content: json({ type: 'object' }) }, ...common, 404: errorResponse('No such hold') },
      },
    },
    '/v1/dlq': {
      get: {
        summary: 'Refused records (auditor or admin): reason, source, tenant, content hash, replays and the leaf a replay became; a tenant token sees its tenant\'s entries only, an operator token every entry (also those whose tenant cannot be read)',
        parameters: [
          queryParam('tenant', 'Only this tenant (an operator token; a tenant token may name only its own)', { type: 'string' }),
          queryParam('reason', 'Only this reason (OVERSIZED, SIGNATURE_REQUIRED, …)', { type: 'string' }),
          queryParam('from', 'Dead-lettered at or after (YYYY-MM-DD or RFC 3339)', { type: 'string' }),
          queryParam('to', 'Dead-lettered before (a bare date includes that day)', { type: 'string' }),
        ],
        responses: { 200: { description: 'Entries, oldest first per DLQ partition', content: json({ type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } }) }, ...common, 503: errorResponse('No Kafka connection for the DLQ') },
      },
    },
    '/v1/dlq/{id}': {
      get: {
        summary: 'One DLQ entry with its headers, its bytes (base64) and the record decoded where possible',
        parameters: [pathParam('id', 'DLQ entry id: <partition>:<offset> of the DLQ topic', { type: 'string', pattern: '^[0-9]+:[0-9]+$' })],
        responses: { 200: { description: 'Entry', content: json({ type: 'object' }) }, ...common, 404: errorResponse('No such entry (or not this tenant\'s)') },
      },
    },
    '/v1/dlq/replay': {
      post: {
        summary: 'Send refused records to the notary again (admin): the original bytes and headers plus probity-dlq-replay-of; a record already logged gets no second leaf',
        requestBody: { required: true, content: json({ type: 'object', additionalProperties: false, properties: { ids: { type: 'array', items: { type: 'string' } }, reason: { type: 'string' }, tenant: { type: 'string' } } }) },
        responses: { 200: { description: 'What was sent and what was skipped', content: json({ type: 'object' }) }, ...common },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token from `probity token create`' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'LOG_NOT_READY', 'LOG_INCONSISTENT', 'UNAVAILABLE', 'INTERNAL'] },
              message: { type: 'string' },
              parameter: { type: 'string' },
            },
          },
        },
      },
      Health: { type: 'object', properties: { status: { type: 'string' }, warehouse: { type: 'object' } } },
      Keyring: {
        type: 'object',
        properties: {
          keys: {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, keyId: { type: 'string' }, publicKey: { type: 'string', description: 'raw Ed25519, base64' }, verifierKey: { type: 'string' }, notBefore: { type: 'string' }, notAfter: { type: 'string' } },
            },
          },
        },
      },
      EvidenceSummary: {
        type: 'object',
        properties: {
          content_hash: { type: 'string' }, record_type: { type: 'string' }, schema_fingerprint: { type: 'string' }, model_id: { type: 'string' },
          model_version: { type: 'string' }, stage: { type: 'string' }, run_id: { type: 'string' }, manifest_id: { type: 'string' },
          occurred_at: { type: 'string', format: 'date-time' }, notarized_at: { type: 'string', format: 'date-time' }, principal: { type: 'string' },
          controls: { type: 'array', items: { type: 'string' } }, shard: { type: 'integer' }, leaf_index: { type: 'integer' },
        },
      },
      SignedRecord: {
        type: 'object',
        description: 'The evidence bundle (probity.signed-record/v1): verify with @probity/evidence verifySignedRecord and the keys of /v1/keys',
        properties: {
          format: { const: 'probity.signed-record/v1' }, tenant: { type: 'string' }, content_hash: { type: 'string' }, record_type: { type: 'string' },
          schema_fingerprint: { type: 'string' }, shard: { type: 'integer' }, leaf_index: { type: 'integer' },
          record: { type: 'string', description: 'Avro single-object bytes, base64' }, statement: { type: 'string', description: 'leaf bytes, base64' },
          emitter_envelope: { type: ['object', 'null'], description: 'DSSE envelope over the record, or over an emitter batch statement (then with emitter_batch_proof)' },
          emitter_batch_proof: { type: 'object', description: "present with a batch envelope: the record's leaf index and RFC 6962 inclusion proof (base64 hashes) in the emitter's tree", properties: { index: { type: 'integer' }, proof: { type: 'array', items: { type: 'string' } } } },
          notary_envelope: { type: ['object', 'null'] },
          checkpoint: { type: 'string', description: 'C2SP signed note' }, inclusion_proof: { type: 'array', items: { type: 'string' } },
        },
      },
      EvidenceRecord: {
        allOf: [
          ref('EvidenceSummary'),
          {
            type: 'object',
            properties: {
              tenant: { type: 'string' },
              record: { type: 'object', description: 'The decoded record' },
              bundle: ref('SignedRecord'),
              latest: {
                type: ['object', 'null'],
                description: 'Inclusion under the shard\'s latest checkpoint: put `checkpoint` and `inclusion_proof` into the bundle to verify it against that checkpoint. Null when the shard has no checkpoint covering the leaf yet, or its leaves are still being written',
                properties: { checkpoint: { type: 'string' }, size: { type: 'integer' }, root_hash: { type: 'string' }, inclusion_proof: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        ],
      },
      EvidencePage: {
        type: 'object',
        properties: {
          items: { type: 'array', description: 'Evidence documents, each verifiable with `probity verify` (readable fields re-derived from the bundle)', items: ref('EvidenceDocument') },
          next_cursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null on the last page' },
          order: { type: 'string' },
          limit: { type: 'integer' },
        },
      },
      EvidenceDocument: {
        description: 'A list item or NDJSON export line: the readable fields, the decoded record and the bundle they are derived from; `probity verify` checks that they agree',
        allOf: [ref('EvidenceSummary'), { type: 'object', properties: { tenant: { type: 'string' }, record: { type: 'object' }, bundle: ref('SignedRecord') } }],
      },
      Coverage: {
        type: 'object',
        properties: {
          tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, framework: { type: ['string', 'null'] },
          universe: {
            type: 'object',
            properties: {
              source: { enum: ['catalog', 'observed'] }, description: { type: 'string' }, size: { type: 'integer' },
              catalogs: { type: 'array', description: 'The framework data files the universe comes from', items: { type: 'object', properties: { framework: { type: 'string' }, edition: { type: 'string' }, version: { type: 'integer' } } } },
            },
          },
          covered: { type: 'integer' },
          gaps: { type: 'array', items: { type: 'string' } },
          controls: { type: 'array', items: { type: 'object', properties: { control: { type: 'string' }, title: { type: 'string' }, in_universe: { type: 'boolean' }, records: { type: 'integer' } } } },
        },
      },
      FrameworkSummary: {
        type: 'object',
        properties: {
          framework: { type: 'string' }, name: { type: 'string' }, title: { type: 'string' }, edition: { type: 'string' }, version: { type: 'integer', description: 'Version of the data file' },
          publisher: { type: 'string' }, note: { type: 'string' }, controls: { type: 'integer' }, kinds: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
      CrosswalkSummary: {
        type: 'object',
        properties: { id: { type: 'string' }, version: { type: 'integer' }, from: ref('FrameworkEdition'), to: ref('FrameworkEdition'), source: ref('CrosswalkSource'), mappings: { type: 'integer' } },
      },
      CatalogIndex: { type: 'object', properties: { frameworks: { type: 'array', items: ref('FrameworkSummary') }, crosswalks: { type: 'array', items: ref('CrosswalkSummary') } } },
      FrameworkEdition: { type: 'object', properties: { framework: { type: 'string' }, edition: { type: 'string' } } },
      CrosswalkSource: { type: 'object', properties: { name: { type: 'string' }, kind: { enum: ['published', 'editorial'] }, url: { type: 'string' }, note: { type: 'string' } } },
      Framework: {
        type: 'object',
        properties: {
          framework: { type: 'string' }, name: { type: 'string' }, title: { type: 'string' }, edition: { type: 'string' }, version: { type: 'integer' }, publisher: { type: 'string' }, note: { type: 'string' },
          aliases: { type: 'object', additionalProperties: { type: 'string' }, description: 'Old ref → current ref' },
          groups: { type: 'array', items: { type: 'object', properties: { ref: { type: 'string' }, title: { type: 'string' }, parent: { type: 'string' } } } },
          controls: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string', description: '<framework>:<ref>, as records carry it in controls' }, framework: { type: 'string' }, ref: { type: 'string' }, title: { type: 'string' },
                kind: { enum: ['clause', 'annex-control', 'article', 'subcategory'] }, group: { type: 'string' }, parent: { type: 'string' },
              },
            },
          },
        },
      },
      Crosswalk: {
        type: 'object',
        properties: {
          id: { type: 'string' }, version: { type: 'integer' }, from: ref('FrameworkEdition'), to: ref('FrameworkEdition'), source: ref('CrosswalkSource'),
          reversed: { type: 'boolean', description: 'True when the data file maps the other way round' },
          mappings: {
            type: 'array',
            items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, relation: { enum: ['equal', 'subset', 'superset', 'intersects'] }, note: { type: 'string' } } },
          },
        },
      },
      Checkpoint: { type: 'object', properties: { shard: { type: 'integer' }, size: { type: 'integer' }, root_hash: { type: 'string' }, signed_note: { type: 'string' }, created_at: { type: 'string' } } },
      InclusionProof: {
        type: 'object',
        properties: { shard: { type: 'integer' }, index: { type: 'integer' }, size: { type: 'integer' }, leaf_hash: { type: 'string' }, root_hash: { type: 'string' }, proof: { type: 'array', items: { type: 'string' } } },
      },
      ConsistencyProof: {
        type: 'object',
        properties: { shard: { type: 'integer' }, from: { type: 'integer' }, to: { type: 'integer' }, from_root: { type: 'string' }, to_root: { type: 'string' }, proof: { type: 'array', items: { type: 'string' } } },
      },
      TokenRequest: {
        type: 'object',
        required: ['tenant', 'role'],
        additionalProperties: false,
        properties: { tenant: { type: 'string', description: 'Tenant, or "*" for an operator admin (operator admins only)' }, role: { enum: ['auditor', 'emitter', 'admin'] }, expires_in: { type: 'string', pattern: '^[1-9][0-9]*(m|h|d|w|y)$' } },
      },
      Token: {
        type: 'object',
        properties: { id: { type: 'string' }, tenant: { type: 'string' }, role: { type: 'string' }, created_at: { type: 'string' }, expires_at: { type: ['string', 'null'] }, revoked_at: { type: ['string', 'null'] } },
      },
      CreatedToken: { allOf: [ref('Token'), { type: 'object', properties: { token: { type: 'string', description: 'Shown once' } } }] },
    },
  },
} as const;
