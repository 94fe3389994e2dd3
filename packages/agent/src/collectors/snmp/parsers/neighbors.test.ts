// Tests of the LLDP and CDP parsers: the constructed LLDP walk and the Cisco 3750's CDP cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { CDP_CACHE_ENTRY, cdpCapabilities, parseCdp } from './cdp.js';
import { parseLldp } from './lldp.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);

test('parseCdp reads the 3750 neighbour as the recording has it', () => {
  const raw = rawRecording(file('cisco-3750.snmprec'));
  const r = parseCdp(readSnmprec(file('cisco-3750.snmprec')));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  const rows = raw.under(`${CDP_CACHE_ENTRY}.6`);
  assert.equal(r.data.length, rows.length);
  const index = rows[0]!.slice(`${CDP_CACHE_ENTRY}.6.`.length);
  const n = r.data[0]!;
  assert.equal(n.localIfIndex, Number(index.split('.')[0]));
  assert.equal(n.remoteSystemName, raw.text(`${CDP_CACHE_ENTRY}.6.${index}`));
  assert.equal(n.remotePort, raw.text(`${CDP_CACHE_ENTRY}.7.${index}`));
  assert.equal(n.remotePlatform, raw.text(`${CDP_CACHE_ENTRY}.8.${index}`));
  const ip = raw
    .hex(`${CDP_CACHE_ENTRY}.4.${index}`)!
    .match(/../g)!
    .map((h) => parseInt(h, 16));
  assert.deepEqual(n.remoteAddresses, [ip.join('.')]);
});

test('cdpCapabilities names the bits', () => {
  assert.deepEqual(cdpCapabilities(Buffer.from('00000029', 'hex')), ['router', 'switch', 'igmp']);
  assert.deepEqual(cdpCapabilities(Buffer.from('01', 'hex')), []);
});

test('parseLldp reads the constructed walk: ids by subtype, management addresses, capabilities', () => {
  const r = parseLldp(readSnmprec(file('lldp-constructed.snmprec')));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  assert.equal(r.data.localChassisId, '02:aa:bb:cc:00:01');
  assert.equal(r.data.localSystemName, 'sw-core-1');
  assert.equal(r.data.neighbors.length, 2);
  const [sw, phone] = r.data.neighbors;
  assert.equal(sw?.localPort, 'Gi1/0/1');
  assert.equal(sw?.remoteChassisId, '02:aa:bb:cc:00:02');
  assert.equal(sw?.remoteChassisIdType, 'macAddress');
  assert.equal(sw?.remotePort, 'xe-0/0/1');
  assert.equal(sw?.remoteSystemName, 'dist-1.example.net');
  assert.deepEqual(sw?.remoteAddresses, ['192.0.2.11']);
  assert.deepEqual(sw?.remoteCapabilities, ['bridge', 'router']);
  assert.equal(phone?.localPort, 'Gi1/0/2');
  assert.equal(phone?.remoteChassisId, '192.0.2.22');
  assert.equal(phone?.remotePort, '02:aa:bb:cc:00:03');
  assert.deepEqual(phone?.remoteCapabilities, ['telephone']);
});

test('parseLldp is unsupported when the agent has no LLDP-MIB', () => {
  assert.equal(parseLldp(readSnmprec(file('cisco-3750.snmprec'))).state, 'unsupported');
});
