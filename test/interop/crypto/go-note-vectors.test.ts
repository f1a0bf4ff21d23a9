/**
 * Go and @probity/crypto judge the same corpus of signed notes and
 * checkpoints (note-vectors.ts): Go with note.Open, filippo.io/torchwood's
 * ParseCheckpoint and the rule that the log's own key must have signed; we
 * with parseNote, parseSignedCheckpoint and verifyCheckpoint. They must agree
 * on every vector, and on what an accepted one says, except the divergences
 * named in KNOWN_DIVERGENCES.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, parseNote, parseSignedCheckpoint, toBase64, verifyCheckpoint, type Checkpoint } from '@probity/crypto';
import { KNOWN_DIVERGENCES, logVerifierKey, noteVectors, witnessVerifierKey } from './note-vectors.js';
import { ensureGoChecker, runJson } from './tools.js';

interface GoJudgement {
  parse: string;
  checkpoint?: string;
  verify: string;
  origin?: string;
  size?: number;
  root?: string;
  extension?: string;
}

interface Judgement {
  parse: 'ok' | 'malformed';
  checkpoint?: 'ok' | 'malformed';
  verify: 'ok' | 'malformed' | 'invalid signature' | 'unverified' | 'malformed checkpoint';
  checkpointValue?: Checkpoint;
}

const VERIFY_CLASS: Record<string, Judgement['verify']> = {
  NOTE_MALFORMED: 'malformed',
  SIGNATURE_INVALID: 'invalid signature',
  NOTE_UNVERIFIED: 'unverified',
  CHECKPOINT_MALFORMED: 'malformed checkpoint',
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    return err.code;
  }
}

function ours(bytes: Uint8Array): Judgement {
  const parse = codeOf(() => parseNote(bytes));
  const judgement: Judgement = { parse: parse === 'ok' ? 'ok' : 'malformed', verify: 'ok' };
  if (parse !== 'ok') expect(parse).toBe('NOTE_MALFORMED');
  if (parse === 'ok') {
    const code = codeOf(() => parseSignedCheckpoint(bytes));
    if (code !== 'ok') expect(code).toBe('CHECKPOINT_MALFORMED');
    judgement.checkpoint = code === 'ok' ? 'ok' : 'malformed';
  }
  const code = codeOf(() => (judgement.checkpointValue = verifyCheckpoint(bytes, [logVerifierKey, witnessVerifierKey])));
  judgement.verify = code === 'ok' ? 'ok' : VERIFY_CLASS[code]!;
  expect(judgement.verify, `unexpected code ${code}`).toBeDefined();
  return judgement;
}

/** Go's outcome in our terms ("no log signature" and "unverified" are both NOTE_UNVERIFIED here). */
function go(j: GoJudgement): Omit<Judgement, 'checkpointValue'> {
  return {
    parse: j.parse === 'ok' ? 'ok' : 'malformed',
    ...(j.checkpoint !== undefined ? { checkpoint: j.checkpoint === 'ok' ? ('ok' as const) : ('malformed' as const) } : {}),
    verify: j.verify === 'no log signature' ? 'unverified' : (j.verify as Judgement['verify']),
  };
}

describe('signed notes and checkpoints: Go and we judge the same corpus alike', () => {
  let checker: string;
  beforeAll(() => {
    checker = ensureGoChecker();
  });

  it('agrees with Go on every vector, accepted or refused, and on what accepted checkpoints say', () => {
    const vectors = noteVectors();
    const res = runJson<{ judges: GoJudgement[] }>(checker, [], {
      judges: vectors.map((v) => ({ noteB64: toBase64(v.bytes), logKey: logVerifierKey, others: [witnessVerifierKey] })),
    });
    expect(res.judges).toHaveLength(vectors.length);

    const disagreements: string[] = [];
    const divergences: string[] = [];
    const tally = { goAccepts: 0, goRefusesNote: 0, goRefusesCheckpoint: 0, goRefusesSignatures: 0 };
    vectors.forEach((vector, i) => {
      const theirs = res.judges[i]!;
      const mine = ours(vector.bytes);
      const { checkpointValue } = mine;
      const mineClass = `${mine.parse}/${mine.checkpoint ?? '-'}/${mine.verify}`;
      const goJudged = go(theirs);
      const goClass = `${goJudged.parse}/${goJudged.checkpoint ?? '-'}/${goJudged.verify}`;
      if (theirs.verify === 'ok') tally.goAccepts += 1;
      else if (goJudged.parse !== 'ok' || goJudged.verify === 'malformed') tally.goRefusesNote += 1;
      else if (goJudged.verify === 'malformed checkpoint') tally.goRefusesCheckpoint += 1;
      else tally.goRefusesSignatures += 1;

      if (mineClass !== goClass) {
        (KNOWN_DIVERGENCES as readonly string[]).includes(vector.name) ? divergences.push(vector.name) : disagreements.push(`${vector.name}: Go ${goClass}, we ${mineClass}`);
        return;
      }
      if (theirs.verify === 'ok') {
        const cp = checkpointValue!;
        const extension = (cp.extensions ?? []).map((l) => `${l}\n`).join('');
        expect({ origin: cp.origin, size: cp.size, root: toBase64(cp.rootHash), extension }, vector.name).toEqual({
          origin: theirs.origin ?? '',
          size: theirs.size ?? 0,
          // Go re-encodes the root canonically; so does toBase64.
          root: theirs.root,
          extension: theirs.extension ?? '',
        });
      }
    });

    expect(disagreements).toEqual([]);
    // The divergences are exactly the listed ones, each a checkpoint Go accepts and we refuse as malformed.
    expect(divergences).toEqual([...KNOWN_DIVERGENCES]);
    for (const name of KNOWN_DIVERGENCES) {
      const i = vectors.findIndex((v) => v.name === name);
      expect(res.judges[i]!.verify).toBe('ok');
      expect(ours(vectors[i]!.bytes).verify).toBe('malformed checkpoint');
    }
    // The corpus exercises every outcome (the counts are reported by the test run).
    expect(tally.goAccepts).toBeGreaterThanOrEqual(10);
    expect(tally.goRefusesNote).toBeGreaterThanOrEqual(20);
    expect(tally.goRefusesCheckpoint).toBeGreaterThanOrEqual(20);
    expect(tally.goRefusesSignatures).toBeGreaterThanOrEqual(5);
    console.log(`note/checkpoint corpus: ${vectors.length} vectors, ${vectors.length - divergences.length} judged alike by Go and us, ${divergences.length} known divergences; Go: ${JSON.stringify(tally)}`);
  });
});
