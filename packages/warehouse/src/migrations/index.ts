import { migration as m0001 } from './0001_evidence.js';
import { migration as m0002 } from './0002_inference.js';
import { migration as m0003 } from './0003_studies_incidents.js';
import { migration as m0004 } from './0004_transparency_log.js';
import { migration as m0005 } from './0005_tenants_tokens.js';
import { migration as m0006 } from './0006_derived_from_evidence.js';
import { migration as m0007 } from './0007_evidence_blobs.js';
import { migration as m0008 } from './0008_evidence_lookup_rocksdb.js';
import { migration as m0009 } from './0009_dlq_replays.js';
import { migration as m0010 } from './0010_legal_holds.js';
import type { Migration } from './migration.js';

/** Every migration in order. A new one: add `000N_name.ts` with version N = max + 1 and list it here. */
export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010];
