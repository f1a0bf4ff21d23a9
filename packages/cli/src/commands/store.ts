import { CliError, defineCommand, stringOption } from '../command.js';
import { step } from '../progress.js';

const SUBCOMMANDS = ['verify'] as const;

export const store = defineCommand({
  name: 'store',
  summary: 'Scrub the evidence store: re-hash every stored object',
  usage: 'verify [--segment NAME] [--store-dir DIR]',
  description:
    'verify: reads every segment of the content-addressed evidence store (or one, with --segment), recomputes the SHA-256 of every object and prints a JSON report: ' +
    'packs, objects, corrupt content hashes and torn tails per segment. A torn tail is a pack a crash cut short; it was never acknowledged and nothing refers to it. ' +
    'Exit 0 when no object is corrupt, 1 when any is (probity.evidence.signed still holds the bytes of every notarized record), 2 on usage errors.',
  positionals: true,
  options: {
    segment: { type: 'string', valueName: 'NAME', description: 'Verify only this segment (as listed in the report).' },
    'store-dir': { type: 'string', valueName: 'DIR', description: "The store's directory (default: <PROBITY_DATA_DIR>/evidence-store, the notary's)." },
  },
  async run({ values, positionals, io }) {
    const sub = positionals[0] as (typeof SUBCOMMANDS)[number] | undefined;
    if (!sub || !SUBCOMMANDS.includes(sub) || positionals.length > 1) throw new CliError('CLI_USAGE', `probity store needs one of: ${SUBCOMMANDS.join(', ')}`);
    const { dataDirLayout, loadCommonConfig } = await import('@probity/config');
    const { FileEvidenceStore } = await import('@probity/evidence-store');
    const storeDir = stringOption(values, 'store-dir') ?? dataDirLayout(loadCommonConfig(io.env).PROBITY_DATA_DIR).evidenceStoreDir;
    const evidenceStore = new FileEvidenceStore(storeDir);
    const only = stringOption(values, 'segment');
    const names = only ? [only] : await evidenceStore.segments();
    if (names.length === 0) io.stderr(`no segments under ${storeDir}: nothing notarized there yet (is --store-dir or PROBITY_DATA_DIR the notary's?)\n`);
    const segments = [];
    for (const [i, name] of names.entries()) {
      const scan = await step(io, `segment ${i + 1}/${names.length} ${name}`, () => evidenceStore.verifySegment(name), (s) => `${s.objects} objects, ${s.corrupt.length} corrupt`);
      segments.push({ segment: name, ...scan });
    }
    const corrupt = segments.flatMap((s) => s.corrupt);
    const report = {
      storeDir,
      segments,
      totals: { segments: segments.length, packs: sum(segments.map((s) => s.packs)), objects: sum(segments.map((s) => s.objects)), corrupt: corrupt.length, tornTailBytes: sum(segments.map((s) => s.tornTailBytes)) },
    };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return corrupt.length > 0 ? 1 : 0;
  },
});

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
