import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPublicKeyBase64, type TrustedKey } from '@probity/crypto';
import { defaultRegistry } from '@probity/schema';
import { describe, expect, it } from 'vitest';
import { verifyEvidenceDocument, type DocumentVerifyOptions } from './verify-document.js';

/**
 * Evidence as earlier builds exported it, kept forever: every later build must
 * verify it. One folder per format date: documents (`probity evidence get
 * --json`), an NDJSON and a CSV export, the notary keyring and the emitter key.
 */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FORMATS = readdirSync(FIXTURES).filter((d) => d.startsWith('documents-'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function optionsFor(dir: string): DocumentVerifyOptions {
  const keyring = JSON.parse(readFileSync(path.join(dir, 'keyring.json'), 'utf8')) as { keys: { name: string; keyId: string; publicKey: string; notBefore: string; notAfter?: string }[] };
  const emitter = JSON.parse(readFileSync(path.join(dir, 'emitter-keys.json'), 'utf8')) as { keyId: string; publicKey: string; notBefore: string }[];
  const key = (k: { keyId: string; publicKey: string; notBefore: string; notAfter?: string }): TrustedKey => ({
    keyId: k.keyId,
    publicKey: importPublicKeyBase64(k.publicKey),
    notBefore: new Date(k.notBefore),
    ...(k.notAfter ? { notAfter: new Date(k.notAfter) } : {}),
  });
  return {
    notaryKeys: keyring.keys.map((k) => ({ ...key(k), name: k.name })),
    emitterKeys: emitter.map(key),
    registry: defaultRegistry(),
  };
}

function documentsIn(dir: string): { name: string; document: Json }[] {
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
    .map((f) => ({ name: f, document: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Json }));
}

describe.each(FORMATS)('evidence exported in format %s', (format) => {
  const dir = path.join(FIXTURES, format);
  const options = optionsFor(dir);

  it('every document verifies, with every readable field', () => {
    const documents = documentsIn(dir);
    expect(documents.length).toBeGreaterThanOrEqual(9);
    for (const { name, document } of documents) {
      const report = verifyEvidenceDocument(document, options);
      expect({ name, valid: report.valid, fields: report.fields?.detail }).toEqual({ name, valid: true, fields: 'every readable field equals what the verified record gives' });
      expect(report.kind).toBe('document');
    }
  });

  // List pages carry bundles since the second format.
  const pageFile = path.join(dir, 'page.json');
  if (existsSync(pageFile)) it('every item of a JSON list page verifies', () => {
    const file = pageFile;
    const page = JSON.parse(readFileSync(file, 'utf8')) as { items: Json[] };
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) expect(verifyEvidenceDocument(item, options).valid).toBe(true);
  });

  it('every NDJSON export line verifies, and its bare bundle too', () => {
    const lines = readFileSync(path.join(dir, 'export.ndjson'), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const line of lines) {
      const document = JSON.parse(line) as { bundle: Json };
      expect(verifyEvidenceDocument(document, options).valid).toBe(true);
      const bare = verifyEvidenceDocument(document.bundle, options);
      expect([bare.kind, bare.valid]).toEqual(['bundle', true]);
    }
  });
});

describe('readable fields that disagree with the verified record', () => {
  const dir = path.join(FIXTURES, FORMATS[0]!);
  const options = optionsFor(dir);
  const { document } = documentsIn(dir).filter(({ document }) => (document as { record_type: string }).record_type === 'EvidenceManifest')[0]!;
  const original = document as Record<string, Json>;

  it('are named: model, stage, controls and fields inside the record (the tampering the issue measured)', () => {
    const tampered = structuredClone(original) as Record<string, any>;
    tampered.model_id = 'another-model';
    tampered.stage = tampered.stage === 'EVALUATION' ? 'TRAINING' : 'EVALUATION';
    tampered.controls = ['iso27001:A.5.1'];
    tampered.record.model_id = 'another-model';
    tampered.record.run_id = 'another-run';
    const report = verifyEvidenceDocument(tampered, options);
    expect(report.valid).toBe(false);
    expect(report.reports.every((r) => r.report.valid)).toBe(true);
    for (const field of ['model_id:', 'stage:', 'controls:', 'record.model_id', 'record.run_id']) expect(report.fields!.detail).toContain(field);
  });

  it('an unknown field beside the bundle is a disagreement too', () => {
    const report = verifyEvidenceDocument({ ...original, approved_by: 'the auditor' }, options);
    expect(report.valid).toBe(false);
    expect(report.fields!.detail).toContain('unexpected field(s) approved_by');
  });

  it('key order and whitespace do not matter', () => {
    const reordered = Object.fromEntries(Object.entries(original).reverse());
    expect(verifyEvidenceDocument(JSON.parse(JSON.stringify(reordered, null, 4)), options).valid).toBe(true);
  });
});

/** Fields whose text is binary (base64) or a signed note: changed byte by byte, not only as JSON values. */
const BASE64_PATHS = /^(bundle\.(record|statement|emitter_envelope\.payload|emitter_envelope\.signatures\[\d+\]\.sig|inclusion_proof\[\d+\]|emitter_batch_proof\.proof\[\d+\]|notary_envelope\.payload|notary_envelope\.signatures\[\d+\]\.sig)|latest\.inclusion_proof\[\d+\])$/;
const NOTE_PATHS = /^(bundle\.checkpoint|latest\.checkpoint)$/;

interface Mutation {
  label: string;
  apply(document: Json): Json;
}

/** Every single change of a document: each JSON value changed, each key added or removed, each byte of each binary part flipped. */
function mutationsOf(document: Json): Mutation[] {
  const mutations: Mutation[] = [];
  const at = (route: (string | number)[], label: string, change: (parent: any, key: string | number) => void) => {
    mutations.push({
      label,
      apply(doc) {
        const copy = structuredClone(doc) as any;
        let parent = copy;
        for (const step of route.slice(0, -1)) parent = parent[step];
        change(parent, route[route.length - 1]!);
        return copy;
      },
    });
  };
  const walk = (value: Json, route: (string | number)[], label: string) => {
    if (route.length > 0) {
      // Removing an optional proof leaves a document that is still fully verified: not a change of what is read.
      const optional = label === 'latest' || label === 'tenant';
      if (!optional) at(route, `remove ${label}`, (p, k) => (Array.isArray(p) ? p.splice(k as number, 1) : delete p[k]));
    }
    if (BASE64_PATHS.test(label)) {
      const bytes = Buffer.from(value as string, 'base64');
      for (let i = 0; i < bytes.length; i++) {
        at(route, `${label} byte ${i}`, (p, k) => {
          const changed = Buffer.from(bytes);
          changed[i]! ^= 0x01;
          p[k] = changed.toString('base64');
        });
      }
      return;
    }
    if (NOTE_PATHS.test(label)) {
      const text = value as string;
      for (let i = 0; i < text.length; i++) {
        at(route, `${label} char ${i}`, (p, k) => (p[k] = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 0x01) + text.slice(i + 1)));
      }
      return;
    }
    if (Array.isArray(value)) {
      at(route, `${label} with one more item`, (p, k) => ((route.length ? p[k] : p).push(value[0] ?? 'extra')));
      value.forEach((item, i) => walk(item, [...route, i], `${label}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      at([...route, 'extra'], `${label || 'document'}.extra added`, (p, k) => (p[k] = 'x'));
      for (const [key, item] of Object.entries(value)) walk(item, [...route, key], label ? `${label}.${key}` : key);
    } else if (typeof value === 'string') {
      at(route, `${label} changed`, (p, k) => (p[k] = `${value}x`));
    } else if (typeof value === 'number') {
      at(route, `${label} changed`, (p, k) => (p[k] = value + 1));
    } else if (typeof value === 'boolean') {
      at(route, `${label} changed`, (p, k) => (p[k] = !value));
    } else {
      at(route, `${label} changed`, (p, k) => (p[k] = 'x'));
    }
  };
  walk(document, [], '');
  return mutations;
}

describe('tamper sweep: every single change of a signed document is detected', () => {
  const dir = path.join(FIXTURES, FORMATS[0]!);
  const options = optionsFor(dir);
  // One record signed by its emitter in batch mode, one in record mode; both with a latest proof.
  const signed = documentsIn(dir).filter(({ document }) => (document as any).bundle.emitter_envelope !== null && (document as any).latest !== null);
  const batch = signed.find(({ document }) => (document as any).bundle.emitter_batch_proof !== undefined)!;
  const record = signed.find(({ document }) => (document as any).bundle.emitter_batch_proof === undefined)!;

  for (const [mode, fixture] of [['batch', batch], ['record', record]] as const) {
    const mutations = mutationsOf(fixture.document);
    it(`emitter ${mode} signature: ${mutations.length} of ${mutations.length} changes detected`, () => {
      expect(verifyEvidenceDocument(fixture.document, options).valid).toBe(true);
      const undetected = mutations.filter((m) => verifyEvidenceDocument(m.apply(fixture.document), options).valid).map((m) => m.label);
      expect(undetected).toEqual([]);
      // The sweep reaches every binary part.
      for (const part of ['bundle.record byte', 'bundle.statement byte', 'bundle.emitter_envelope.signatures[0].sig byte', 'bundle.checkpoint char', 'latest.checkpoint char', 'bundle.inclusion_proof[0] byte', 'latest.inclusion_proof[0] byte']) {
        expect(mutations.some((m) => m.label.startsWith(part))).toBe(true);
      }
    });
  }
});
