import { CliError, defineCommand, stringOption } from '../command.js';
import type { PackScan } from '@probity/evidence-store';
import { step } from '../progress.js';

const SUBCOMMANDS = ['verify'] as const;

export const store = defineCommand({
  name: 'store',
  summary: 'Scrub the evidence store: re-hash every stored object',
  usage: 'verify [--segment NAME] [--store-dir DIR]',
  description:
    'verify: reads every segment of the content-addressed evidence store (or one, with --segment), and the pack files of builds before segments, recomputes the SHA-256 of every object and prints a JSON report: ' +
    'packs, objects, corrupt content hashes, damaged regions and torn tails per segment. A torn tail is a pack a crash cut short at the end of a segment; it was never acknowledged and nothing refers to it. ' +
    'A damaged region is one that is not a whole pack but is followed by one: its objects could not be checked. ' +
    'Exit 0 when nothing is corrupt or damaged, 1 otherwise (probity.evidence.signed still holds the bytes of every notarized record), 2 on usage errors.',
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
    const segmentNames = only ? (only.startsWith('seg-') ? [only] : []) : await evidenceStore.segments();
    const legacyNames = only ? (only.startsWith('seg-') ? [] : [only]) : await evidenceStore.legacyPacks();
    const total = segmentNames.length + legacyNames.length;
    if (total === 0) io.stderr(`no segments under ${storeDir}: nothing notarized there yet (is --store-dir or PROBITY_DATA_DIR the notary's?)\n`);
    const describe = (s: PackScan) => `${s.objects} objects, ${s.corrupt.length} corrupt${s.damaged.length > 0 ? `, ${s.damaged.length} damaged regions` : ''}`;
    const segments = [];
    for (const [i, name] of segmentNames.entries()) {
      segments.push({ segment: name, ...(await step(io, `${i + 1}/${total} segment ${name}`, () => evidenceStore.verifySegment(name), describe)) });
    }
    // Packs of builds before segments (a file per pack) stay readable and are checked too.
    const legacyPacks = [];
    for (const [i, name] of legacyNames.entries()) {
      legacyPacks.push({ pack: name, ...(await step(io, `${segmentNames.length + i + 1}/${total} pack ${name}`, () => evidenceStore.verifyLegacyPack(name), describe)) });
    }
    const all = [...segments, ...legacyPacks];
    const corrupt = all.flatMap((s) => s.corrupt);
    const damaged = all.flatMap((s) => s.damaged);
    const report = {
      storeDir,
      segments,
      legacyPacks,
      totals: { segments: segments.length, legacyPacks: legacyPacks.length, packs: sum(all.map((s) => s.packs)), objects: sum(all.map((s) => s.objects)), corrupt: corrupt.length, damagedRegions: damaged.length, damagedBytes: sum(damaged.map((d) => d.bytes)), tornTailBytes: sum(all.map((s) => s.tornTailBytes)) },
    };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return corrupt.length > 0 || damaged.length > 0 ? 1 : 0;
  },
});

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
