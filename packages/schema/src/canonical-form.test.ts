import { describe, expect, it } from 'vitest';
import { fingerprint64, parsingCanonicalForm } from './canonical-form.js';
import { rabin64 } from './rabin.js';

// Cases from the Avro specification's test data (apache/avro
// share/test/data/schema-tests.txt): input, expected canonical form, and the
// CRC-64-AVRO fingerprint as a signed 64-bit integer, where the file gives one.
const SPEC_CASES: Array<[input: string, canonical: string, fingerprint?: string]> = [
  ['"null"', '"null"', '7195948357588979594'],
  ['{"type":"null"}', '"null"'],
  ['"boolean"', '"boolean"', '-6970731678124411036'],
  ['"int"', '"int"', '8247732601305521295'],
  ['{"type":"int"}', '"int"'],
  ['"long"', '"long"', '-3434872931120570953'],
  ['"float"', '"float"', '5583340709985441680'],
  ['"double"', '"double"', '-8181574048448539266'],
  ['"bytes"', '"bytes"', '5746618253357095269'],
  ['"string"', '"string"', '-8142146995180207161'],
  ['[  ]', '[]', '-1241056759729112623'],
  ['[ "int"  ]', '["int"]', '-5232228896498058493'],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', '5392556393470105090'],
  ['{"fields":[], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', '{"name":"x.y.foo","type":"record","fields":[]}', '5916914534497305771'],
  ['{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}', '{"name":"a.b.foo","type":"record","fields":[]}', '-4616218487480524110'],
  ['{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', '7843277075252814651'],
  [
    '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"}, {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo" }',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    '-4860222112080293046',
  ],
  ['{"type":"enum", "name":"foo", "symbols":["A1"]}', '{"name":"foo","type":"enum","symbols":["A1"]}', '-6342190197741309591'],
  ['{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}', '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', '-4448647247586288245'],
  ['{"name":"foo","type":"fixed","size":15}', '{"name":"foo","type":"fixed","size":15}', '1756455273707447556'],
  ['{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}', '{"name":"x.y.z.foo","type":"fixed","size":32}', '-3064184465700546786'],
  ['{ "items":{"type":"null"}, "type":"array"}', '{"type":"array","items":"null"}', '-589620603366471059'],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', '-8732877298790414990'],
  [
    '{"name":"PigValue","type":"record", "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    '-1759257747318642341',
  ],
];

describe('parsingCanonicalForm and fingerprint64 (Avro spec test data)', () => {
  it.each(SPEC_CASES)('%s', (input, canonical, fingerprint) => {
    expect(parsingCanonicalForm(input)).toBe(canonical);
    expect(parsingCanonicalForm(JSON.parse(input))).toBe(canonical);
    if (fingerprint !== undefined) {
      expect(fingerprint64(input).readBigInt64LE(0)).toBe(BigInt(fingerprint));
    }
  });
});

describe('canonical form rules on nested types', () => {
  it('qualifies nested names with the enclosing namespace and writes a named type in full only once', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      namespace: 'io.x',
      doc: 'dropped',
      fields: [
        { name: 'a', type: { type: 'enum', name: 'Color', symbols: ['RED'], default: 'RED' }, default: 'RED', aliases: ['z'] },
        { name: 'b', type: 'Color' },
        { name: 'c', type: { type: 'record', name: 'other.Inner', fields: [{ name: 'd', type: { type: 'fixed', name: 'F', size: 4 } }] } },
        { name: 'e', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }], default: null },
        { name: 'f', type: { type: 'map', values: 'other.F' } },
      ],
    };
    expect(parsingCanonicalForm(schema)).toBe(
      '{"name":"io.x.Outer","type":"record","fields":[' +
        '{"name":"a","type":{"name":"io.x.Color","type":"enum","symbols":["RED"]}},' +
        '{"name":"b","type":"io.x.Color"},' +
        '{"name":"c","type":{"name":"other.Inner","type":"record","fields":[{"name":"d","type":{"name":"other.F","type":"fixed","size":4}}]}},' +
        '{"name":"e","type":["null","long"]},' +
        '{"name":"f","type":{"type":"map","values":"other.F"}}]}',
    );
  });

  it('gives the same fingerprint whatever the key order, docs or defaults', () => {
    const a = { type: 'record', name: 'R', fields: [{ name: 'x', type: 'int' }] };
    const b = { fields: [{ type: 'int', name: 'x', doc: 'x', default: 1 }], doc: 'R', name: 'R', type: 'record' };
    expect(fingerprint64(a).equals(fingerprint64(b))).toBe(true);
    expect(fingerprint64(a).equals(fingerprint64({ ...a, name: 'S' }))).toBe(false);
  });

  it('fingerprints the empty input with the Rabin seed', () => {
    expect(rabin64(new Uint8Array())).toBe(0xc15d213aa4d7a795n);
  });
});
