import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { parseDmtfDatetime, type CimObject, type CimScalar } from './cim-object.js';
import { ObjectArrayDecoder } from './object-array.js';
import { decodeEncodingUnit, decodeObjrefCustom, type WmioObject } from './wmio-decoder.js';

const hex = (name: string) =>
  Buffer.from(
    readFileSync(new URL(`testdata/${name}.hex`, import.meta.url), 'utf8').replace(/\s+/g, ''),
    'hex',
  );
const json = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`testdata/${name}.json`, import.meta.url), 'utf8'));

/** Our output in the testdata's JSON shape: datetimes as {dmtf} (their Date checked apart). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    if ('dmtf' in v) return { dmtf: (v as { dmtf: string }).dmtf };
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function value(o: CimObject, name: string): CimScalar | CimScalar[] | null {
  const p = o.properties[name];
  assert.ok(p, `property ${name}`);
  return p.value;
}

describe('decodeEncodingUnit', () => {
  it('decodes the MS-WMIO section 3 "Base" class: its key property, no default', () => {
    const o = decodeEncodingUnit(hex('ms-wmio-3-base-class'));
    assert.deepEqual(plain(o), {
      kind: 'class',
      className: 'Base',
      derivation: [],
      server: 'DPRAVAT-DEV',
      namespace: 'ROOT',
      properties: { Id: { cimType: 'sint32', isArray: false, value: null } },
    });
  });

  for (const name of ['win32-operatingsystem', 'win32-process', 'all-types']) {
    it(`decodes ${name} as impacket and the encoder agree`, () => {
      assert.deepEqual(plain(decodeEncodingUnit(hex(name))), json(name));
    });
  }

  it('gives 64-bit integers as exact decimal strings and reals as numbers', () => {
    const o = decodeEncodingUnit(hex('all-types'));
    assert.equal(value(o, 'U64'), '18446744073709551615');
    assert.equal(value(o, 'S64'), '-9223372036854775808');
    assert.deepEqual(value(o, 'AS64'), ['-1', '9007199254740993']);
    assert.equal(value(o, 'R32'), 1.5);
    assert.equal(value(o, 'R64'), -2.25e-5);
    assert.equal(value(o, 'B'), false);
    assert.deepEqual(value(o, 'AB'), [true, false, true]);
    assert.equal(value(o, 'C16'), 'Ω');
    assert.equal(value(o, 'NullU32'), null);
    assert.equal(value(o, 'Zero'), 0);
  });

  it('parses valid datetimes into Dates and leaves intervals and wildcards without one', () => {
    const os = decodeEncodingUnit(hex('win32-operatingsystem'));
    const install = value(os, 'InstallDate') as { date: Date | null };
    assert.equal(install.date?.toISOString(), '2023-01-15T08:30:12.000Z');
    const boot = value(os, 'LastBootUpTime') as { date: Date | null };
    assert.equal(boot.date?.toISOString(), '2024-03-01T12:15:00.500Z');
    const all = decodeEncodingUnit(hex('all-types'));
    assert.equal((value(all, 'Dt') as { date: Date | null }).date, null);
    const [leap, wild] = value(all, 'ADt') as Array<{ date: Date | null }>;
    assert.equal(leap?.date?.toISOString(), '2024-02-29T23:59:59.999Z');
    assert.equal(wild?.date, null);
    assert.equal(parseDmtfDatetime('20230231000000.000000+000').date, null);
  });

  it('takes a property the instance marks as default from the class part', () => {
    const os = decodeEncodingUnit(hex('win32-operatingsystem'));
    assert.equal(value(os, 'Status'), 'OK');
    assert.equal(value(os, 'CountryCode'), null);
  });

  it('decodes embedded objects and arrays of them', () => {
    const o = decodeEncodingUnit(hex('all-types'));
    const inner = value(o, 'Obj') as WmioObject;
    assert.equal(inner.className, 'Nested_Part');
    assert.equal(inner.properties['Weight']?.value, 0.5);
    const arr = value(o, 'AObj') as WmioObject[];
    assert.deepEqual(
      arr.map((x) => x.properties['Label']?.value),
      ['first', 'second'],
    );
  });

  it('unwraps an OBJREF_CUSTOM as IWbemClassObject arrives over DCOM', () => {
    const unit = hex('win32-process');
    const objref = Buffer.concat([
      Buffer.from('MEOW', 'latin1'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.alloc(32),
      Buffer.alloc(4),
      Buffer.from([unit.length & 0xff, unit.length >> 8, 0, 0]),
      unit,
    ]);
    assert.equal(decodeObjrefCustom(objref).className, 'Win32_Process');
  });
});

describe('decodeEncodingUnit on malformed input', () => {
  const unit = hex('all-types');

  it('refuses a wrong signature, naming offset 0', () => {
    const bad = Buffer.from(unit);
    bad[0] = 0;
    assert.throws(
      () => decodeEncodingUnit(bad),
      (e) => hasCode(e, 'ERR_PROTOCOL') && /offset 0/.test(String(e)),
    );
  });

  it('refuses every truncation with ERR_PROTOCOL, never another error', () => {
    for (let n = 0; n < unit.length; n += 7) {
      assert.throws(
        () => decodeEncodingUnit(unit.subarray(0, n)),
        (e) => hasCode(e, 'ERR_PROTOCOL') && /offset \d+/.test(String(e)),
        `truncated at ${n}`,
      );
    }
  });

  it('survives every single-byte corruption with a value or ERR_PROTOCOL', () => {
    for (let i = 8; i < unit.length; i += 3) {
      for (const b of [0x00, 0xff, 0x7f]) {
        const bad = Buffer.from(unit);
        bad[i] = b;
        try {
          decodeEncodingUnit(bad);
        } catch (e) {
          assert.ok(hasCode(e, 'ERR_PROTOCOL'), `byte ${i} = ${b}: ${String(e)}`);
        }
      }
    }
  });

  it('refuses a hostile array count before allocating', () => {
    // AU32's heap array count: find the [3, 1, 2, 3] run and make the count huge.
    const run = Buffer.from('03000000010000000200000003000000', 'hex');
    const at = unit.indexOf(run);
    assert.ok(at > 0);
    const bad = Buffer.from(unit);
    bad.writeUInt32LE(0x3fffffff, at);
    assert.throws(
      () => decodeEncodingUnit(bad),
      (e) => hasCode(e, 'ERR_PROTOCOL') && /array of 1073741823/.test(String(e)),
    );
  });
});

describe('ObjectArrayDecoder', () => {
  it('decodes a class, a full instance, and instances sent without their class part', () => {
    const d = new ObjectArrayDecoder();
    const objs = d.decode(hex('object-array-win32-process'));
    assert.deepEqual(plain(objs), json('object-array-win32-process'));
    assert.equal(d.cachedClasses, 1);
  });

  it('keeps the class part across packets of one enumeration and refuses an unknown class', () => {
    const whole = hex('object-array-win32-process');
    const d = new ObjectArrayDecoder();
    d.decode(whole);
    // A second packet holding only the last object (a WBEMOBJECT_INSTANCE_NOCLASS).
    const objects = whole.subarray(46);
    let pos = 0;
    let last = 0;
    for (let i = 0; i < 4; i++) {
      last = pos;
      pos += 9 + objects.readUInt32LE(pos + 4);
    }
    const lastObj = objects.subarray(last, pos);
    const header = Buffer.from(whole.subarray(0, 46));
    header.writeUInt32LE(1, 42);
    const second = Buffer.concat([header, lastObj]);
    assert.equal(d.decode(second)[0]?.properties['ProcessId']?.value, 5678);
    assert.throws(
      () => new ObjectArrayDecoder().decode(second),
      (e) => hasCode(e, 'ERR_PROTOCOL') && /never sent/.test(String(e)),
    );
  });

  it('refuses a hostile object count', () => {
    const bad = Buffer.from(hex('object-array-win32-process'));
    bad.writeUInt32LE(0xffffffff, 42);
    assert.throws(
      () => new ObjectArrayDecoder().decode(bad),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
  });
});
