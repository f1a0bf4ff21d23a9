import type { Command } from '../command.js';
import { doctor } from './doctor.js';
import { down } from './down.js';
import { emit } from './emit.js';
import { query } from './query.js';
import { token } from './token.js';
import { studies } from './studies.js';
import { topics } from './topics.js';
import { demo } from './demo.js';
import { dlq } from './dlq.js';
import { hold } from './hold.js';
import { evidence } from './evidence.js';
import { keys } from './keys.js';
import { up } from './up.js';
import { store } from './store.js';
import { verify } from './verify.js';
import { coverage, gaps } from './coverage.js';
import { audit } from './audit.js';
import { soa } from './soa.js';
import { catalog } from './catalog.js';
import { gate } from './gate.js';

/**
 * Every `probity` command, in the order `probity --help` lists them.
 * To add one: write `commands/<name>.ts` exporting `defineCommand({...})`,
 * then add it here.
 */
export const commands: readonly Command[] = [up, down, doctor, topics, emit, evidence, verify, keys, store, demo, token, query, dlq, hold, catalog, soa, coverage, gaps, audit, gate, studies];
