// Table tests of the system-group parser over real recordings in testdata/.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { parseSystem, serviceLayers } from './system.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);

describe('parseSystem', () => {
  for (const name of [
    'cisco-3750.snmprec',
    'hp-2810.snmprec',
    'winxp.snmprec',
    'linux-2.6-net-snmp.snmprec',
    'lab-snmpd-debian12.snmprec',
  ]) {
    test(`parseSystem reads ${name} as the file says`, () => {
      const raw = rawRecording(file(name));
      const r = parseSystem(readSnmprec(file(name)));
      assert.equal(r.data.objectId, raw.text('1.3.6.1.2.1.1.2.0'));
      assert.equal(
        r.data.description,
        raw.text('1.3.6.1.2.1.1.1.0')?.replace(/\r\n/g, '\n').trim(),
      );
      assert.equal(r.data.name, raw.text('1.3.6.1.2.1.1.5.0') || null);
      const services = raw.text('1.3.6.1.2.1.1.7.0');
      assert.equal(r.data.services, services === undefined ? null : Number(services));
      const up = raw.text('1.3.6.1.2.1.1.3.0');
      assert.equal(r.data.uptimeSeconds, up === undefined ? null : Math.floor(Number(up) / 100));
      assert.equal(r.state, 'complete', r.warnings.join('; '));
    });
  }

  test('parseSystem reads ipForwarding', () => {
    const r = parseSystem(readSnmprec(file('cisco-3750.snmprec')));
    const raw = rawRecording(file('cisco-3750.snmprec')).text('1.3.6.1.2.1.4.1.0');
    assert.equal(r.data.ipForwarding, raw === '1');
  });

  test('parseSystem is unsupported without sysDescr and sysObjectID', () => {
    assert.equal(parseSystem([]).state, 'unsupported');
    const r = parseSystem([
      { oid: '1.3.6.1.2.1.1.5.0', type: 'OctetString', value: Buffer.from('x') },
    ]);
    assert.equal(r.state, 'unsupported');
  });

  test('serviceLayers names the layers of sysServices', () => {
    assert.deepEqual(serviceLayers(6), ['datalink', 'internet']);
    assert.deepEqual(serviceLayers(72), ['end-to-end', 'applications']);
    assert.deepEqual(serviceLayers(200), []);
    assert.deepEqual(serviceLayers(null), []);
  });
});
