// Tests of the IF-MIB parser over real recordings: names, types, speeds, MACs, counters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { IF_ENTRY, IFX_ENTRY, parseInterfaces } from './interfaces.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);

describe('parseInterfaces', () => {
  for (const name of ['cisco-3750.snmprec', 'winxp.snmprec', 'lab-snmpd-debian12.snmprec']) {
    test(`parseInterfaces reads every ifIndex of ${name}`, () => {
      const raw = rawRecording(file(name));
      const r = parseInterfaces(readSnmprec(file(name)));
      assert.equal(r.state, 'complete', r.warnings.join('; '));
      const indexes = raw.under(`${IF_ENTRY}.1`).map((o) => Number(raw.text(o)));
      assert.deepEqual(
        r.data.map((i) => i.index),
        [...indexes].sort((a, b) => a - b),
      );
      for (const i of r.data) {
        const ifName = raw.text(`${IFX_ENTRY}.1.${i.index}`);
        assert.equal(
          i.name,
          ifName || raw.text(`${IF_ENTRY}.2.${i.index}`)?.replace(/\0+$/, '').trim(),
        );
        const hex = raw.hex(`${IF_ENTRY}.6.${i.index}`);
        if (hex !== undefined && hex.length === 12) {
          assert.equal(i.mac, hex === '000000000000' ? null : hex.match(/../g)!.join(':'));
        }
        assert.equal(i.type, Number(raw.text(`${IF_ENTRY}.3.${i.index}`)));
      }
    });
  }

  test('parseInterfaces prefers ifHighSpeed and 64-bit counters', () => {
    const raw = rawRecording(file('cisco-3750.snmprec'));
    const r = parseInterfaces(readSnmprec(file('cisco-3750.snmprec')));
    const gi = r.data.find((i) => raw.text(`${IFX_ENTRY}.15.${i.index}`) === '1000');
    assert.ok(gi);
    assert.equal(gi.speedBps, 1e9);
    assert.equal(gi.counters.inOctets, Number(raw.text(`${IFX_ENTRY}.6.${gi.index}`)));
  });

  test('parseInterfaces is unsupported with no IF-MIB', () => {
    assert.equal(parseInterfaces([]).state, 'unsupported');
  });
});
