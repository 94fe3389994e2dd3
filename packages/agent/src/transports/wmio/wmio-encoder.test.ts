import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import type { CimObject } from './cim-object.js';
import { decodeEncodingUnit } from './wmio-decoder.js';
import {
  classDefOf,
  encodeClassUnit,
  encodedString,
  encodeInstanceUnit,
  type WmioClassDef,
} from './wmio-encoder.js';
import { decodeClassUnitWithMethods } from './wmio-methods.js';

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url);
const decodedVector = (name: string) =>
  decodeEncodingUnit(Buffer.from(readFileSync(testdata(`${name}.hex`), 'utf8').trim(), 'hex'));

/** The values of a decoded object, as encodeInstanceUnit takes them. */
const valuesOf = (o: CimObject) =>
  Object.fromEntries(Object.entries(o.properties).map(([k, p]) => [k, p.value]));
const plain = (o: CimObject) => ({ className: o.className, properties: o.properties });

describe('encodeInstanceUnit round-trips through the decoder', () => {
  // The WMIO vectors (Python-encoded, impacket-checked) decoded, re-encoded by us, decoded again.
  for (const name of ['all-types', 'win32-operatingsystem', 'win32-process']) {
    it(`the ${name} vector's values survive our encoding`, () => {
      const original = decodedVector(name);
      const again = decodeEncodingUnit(
        encodeInstanceUnit(classDefOf(original), valuesOf(original)),
      );
      assert.deepEqual(plain(again), plain(original));
    });
  }

  it('with a decoration, defaults from the class, and UTF-16 strings on request', () => {
    const def: WmioClassDef = {
      name: 'Ns_Thing',
      parents: ['Ns_Base'],
      properties: [
        {
          name: 'Name',
          cimType: 'string',
          qualifiers: [{ name: 'key', cimType: 'boolean', value: true }],
        },
        { name: 'Status', cimType: 'string', default: 'OK' },
        { name: 'Count', cimType: 'uint32' },
      ],
    };
    const unit = encodeInstanceUnit(
      def,
      { Name: 'abc', Count: 3 },
      {
        decoration: { server: 'WIN-SRV01', namespace: 'ROOT\\cimv2' },
        defaults: ['Status'],
        strings: 'utf16',
      },
    );
    const o = decodeEncodingUnit(unit);
    assert.equal(o.server, 'WIN-SRV01');
    assert.equal(o.namespace, 'ROOT\\cimv2');
    assert.deepEqual(o.derivation, ['Ns_Base']);
    assert.deepEqual(valuesOf(o), { Name: 'abc', Status: 'OK', Count: 3 });
    // 'abc' went as UTF-16 (flag 1), the class name compact (flag 0).
    assert.ok(unit.includes(Buffer.from('01610062006300', 'hex')));
    assert.ok(unit.includes(Buffer.from('004e735f5468696e6700', 'hex')));
  });

  it('refuses values that do not fit their type', () => {
    const def: WmioClassDef = { name: 'X', properties: [{ name: 'N', cimType: 'uint8' }] };
    assert.throws(
      () => encodeInstanceUnit(def, { N: 'many' }),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(
      () => encodeInstanceUnit(def, { N: [1] }),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(() => encodeInstanceUnit(def, { N: 256 }));
  });
});

describe('encodedString', () => {
  it('one byte per character when all fit, else UTF-16; always UTF-16 when asked', () => {
    assert.deepEqual(encodedString('Aé'), Buffer.from('0041e900', 'hex'));
    assert.deepEqual(encodedString('A日'), Buffer.from('014100e5650000', 'hex'));
    assert.deepEqual(encodedString('A', true), Buffer.from('0141000000', 'hex'));
  });
});

describe('encodeClassUnit', () => {
  it('a class with methods: the decoder reads the class, the methods reader its signatures', () => {
    const def: WmioClassDef = {
      name: 'Ns_Service',
      parents: ['Ns_Base'],
      properties: [{ name: 'Name', cimType: 'string' }],
      methods: [
        {
          name: 'Start',
          in: [{ name: 'Args', cimType: 'string', isArray: true }],
          out: [{ name: 'ReturnValue', cimType: 'uint32' }],
        },
        { name: 'Stop', in: null, out: [{ name: 'ReturnValue', cimType: 'uint32' }] },
      ],
    };
    const unit = encodeClassUnit(def);
    const cls = decodeEncodingUnit(unit);
    assert.equal(cls.kind, 'class');
    assert.equal(cls.className, 'Ns_Service');
    assert.deepEqual(Object.keys(cls.properties), ['Name']);
    const withMethods = decodeClassUnitWithMethods(unit);
    assert.deepEqual(
      withMethods.methods.map((m) => [
        m.name,
        m.in?.part.properties.map((p) => `${p.name}:${p.cimType}${p.isArray ? '[]' : ''}`) ?? null,
        m.out?.part.properties.map((p) => p.name) ?? null,
      ]),
      [
        ['Start', ['Args:string[]'], ['ReturnValue']],
        ['Stop', null, ['ReturnValue']],
      ],
    );
  });
});
