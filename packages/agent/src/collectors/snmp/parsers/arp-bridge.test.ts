// Tests of the ARP and bridge forwarding parsers over the Cisco 3750 and HP 2810 recordings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { IP_NET_TO_MEDIA_ENTRY, parseArp } from './arp.js';
import { BRIDGE, parseBridge } from './bridge.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);
const mac = (hex: string): string => hex.match(/../g)!.join(':');

for (const name of ['cisco-3750.snmprec', 'hp-2810.snmprec']) {
  test(`parseArp reads every ipNetToMedia entry of ${name}`, () => {
    const raw = rawRecording(file(name));
    const r = parseArp(readSnmprec(file(name)));
    assert.notEqual(r.state, 'unsupported');
    const rows = raw.under(`${IP_NET_TO_MEDIA_ENTRY}.2`);
    assert.ok(rows.length > 0);
    for (const oid of rows) {
      const [ifIndex, ...ip] = oid.slice(`${IP_NET_TO_MEDIA_ENTRY}.2.`.length).split('.');
      const got = r.data.find((a) => a.address === ip.join('.') && a.ifIndex === Number(ifIndex));
      const hex = raw.hex(oid) ?? Buffer.from(raw.text(oid) ?? '', 'latin1').toString('hex');
      if (hex === '000000000000') continue;
      assert.equal(got?.mac, mac(hex), oid);
    }
  });
}

test('parseBridge maps the 3750 FDB entry through dot1dBasePortTable to its ifIndex', () => {
  const raw = rawRecording(file('cisco-3750.snmprec'));
  const r = parseBridge(readSnmprec(file('cisco-3750.snmprec')));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  const rows = raw.under(`${BRIDGE.tpFdbEntry}.2`);
  assert.equal(r.data.fdb.length, rows.length);
  const oid = rows[0]!;
  const macArcs = oid.slice(`${BRIDGE.tpFdbEntry}.2.`.length).split('.').map(Number);
  const port = raw.text(oid)!;
  const e = r.data.fdb[0]!;
  assert.equal(e.mac, macArcs.map((b) => b.toString(16).padStart(2, '0')).join(':'));
  assert.equal(e.bridgePort, Number(port));
  assert.equal(e.ifIndex, Number(raw.text(`${BRIDGE.basePortEntry}.2.${port}`)));
  assert.equal(r.data.bridgeAddress, mac(raw.hex(`${BRIDGE.baseAddress}.0`)!));
  assert.equal(r.data.ports.length, raw.under(`${BRIDGE.basePortEntry}.2`).length);
});

test('parseBridge reads the HP 2810 forwarding table', () => {
  const raw = rawRecording(file('hp-2810.snmprec'));
  const r = parseBridge(readSnmprec(file('hp-2810.snmprec')));
  assert.notEqual(r.state, 'unsupported');
  const invalid = raw.under(`${BRIDGE.tpFdbEntry}.3`).filter((o) => raw.text(o) === '2').length;
  assert.equal(r.data.fdb.length, raw.under(`${BRIDGE.tpFdbEntry}.2`).length - invalid);
});

test('parseBridge reads Q-BRIDGE entries with their VLAN', () => {
  const vbs = [
    { oid: `${BRIDGE.qTpFdbEntry}.2.20.2.170.187.204.0.9`, type: 'Integer', value: 7 },
    { oid: `${BRIDGE.qTpFdbEntry}.3.20.2.170.187.204.0.9`, type: 'Integer', value: 3 },
    { oid: `${BRIDGE.basePortEntry}.2.7`, type: 'Integer', value: 10007 },
  ];
  const r = parseBridge(vbs);
  assert.deepEqual(r.data.fdb, [
    {
      mac: '02:aa:bb:cc:00:09',
      vlan: 20,
      bridgePort: 7,
      ifIndex: 10007,
      status: 'learned',
      source: 'dot1q',
    },
  ]);
});

test('parseBridge and parseArp are unsupported when nothing answered', () => {
  assert.equal(parseBridge([]).state, 'unsupported');
  assert.equal(parseArp([]).state, 'unsupported');
});
