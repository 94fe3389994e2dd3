import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostRecord } from '../testing/fixtures.js';
import {
  fqdnKey,
  isJunkSerial,
  lookupKeys,
  macStrength,
  normalizeUuid,
  recordIdentifiers,
  swapUuidByteOrder,
} from './identity.js';

test('isJunkSerial refuses placeholders and repeated characters, keeps real serials', () => {
  const cases: [string | null, boolean][] = [
    [null, true],
    ['', true],
    ['   ', true],
    ['0', true],
    ['None', true],
    ['To be filled by O.E.M.', true],
    ['to be filled by o.e.m.', true],
    ['Default string', true],
    ['123456789', true],
    ['System Serial Number', true],
    ['Not Specified', true],
    ['0000000000', true],
    ['FFFFFFFF', true],
    ['........', true],
    ['00-00-00', true],
    ['AB', true],
    ['VMware-42 1c 0f ff 12 34 56 78-9a bc de f0 12 34 56 78', false],
    ['CZ2942036K', false],
    ['5CG1234XYZ', false],
    ['PF2ABCDE', false],
  ];
  for (const [serial, junk] of cases) assert.equal(isJunkSerial(serial), junk, String(serial));
});

test('normalizeUuid canonicalises and refuses placeholders', () => {
  const cases: [string | null, string | null][] = [
    ['4C4C4544-0042-3510-8052-B4C04F4A4B32', '4c4c4544-0042-3510-8052-b4c04f4a4b32'],
    ['{4c4c4544-0042-3510-8052-b4c04f4a4b32}', '4c4c4544-0042-3510-8052-b4c04f4a4b32'],
    ['4c4c454400423510 8052b4c04f4a4b32', '4c4c4544-0042-3510-8052-b4c04f4a4b32'],
    ['00000000-0000-0000-0000-000000000000', null],
    ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', null],
    ['03000200-0400-0500-0006-000700080009', null],
    ['not-a-uuid', null],
    [null, null],
  ];
  for (const [input, out] of cases) assert.equal(normalizeUuid(input), out, String(input));
});

test('swapUuidByteOrder turns the SMBIOS little-endian fields around and back', () => {
  const u = '4221c0ff-1234-5678-9abc-def012345678';
  assert.equal(swapUuidByteOrder(u), 'ffc02142-3412-7856-9abc-def012345678');
  assert.equal(swapUuidByteOrder(swapUuidByteOrder(u)), u);
});

test('macStrength tells burnt-in, locally administered and shared MACs apart', () => {
  const cases: [string, ReturnType<typeof macStrength>][] = [
    ['00:50:56:9a:00:01', 'global'],
    ['3C-EC-EF-12-34-56', 'global'],
    ['02:00:c6:12:00:1e', 'local'],
    ['02:42:ac:11:00:02', 'local'],
    ['00:00:00:00:00:00', 'unusable'],
    ['ff:ff:ff:ff:ff:ff', 'unusable'],
    ['01:00:5e:00:00:01', 'unusable'],
    ['00:00:5e:00:01:0a', 'unusable'],
    ['00:00:0c:07:ac:01', 'unusable'],
    ['garbage', 'unusable'],
  ];
  for (const [mac, s] of cases) assert.equal(macStrength(mac), s, mac);
});

test('fqdnKey needs a domain: a bare host name is shared by too many machines', () => {
  const cases: [Parameters<typeof fqdnKey>[0], string | null][] = [
    [{ hostname: 'web1', fqdn: 'Web1.Example.COM.', domain: null }, 'web1.example.com'],
    [{ hostname: 'web1', fqdn: null, domain: 'example.com' }, 'web1.example.com'],
    [{ hostname: 'web1.example.com', fqdn: null, domain: 'example.com' }, 'web1.example.com'],
    [{ hostname: 'web1', fqdn: 'web1', domain: null }, null],
    [{ hostname: 'localhost', fqdn: 'localhost.localdomain', domain: 'localdomain' }, null],
    [{ hostname: null, fqdn: null, domain: 'example.com' }, null],
  ];
  for (const [id, key] of cases) assert.equal(fqdnKey(id), key, JSON.stringify(id));
});

test('recordIdentifiers keeps a local MAC only when ARP saw it for the address', () => {
  const r = hostRecord({
    serial: 'To be filled by O.E.M.',
    systemUuid: '4C4C4544-0042-3510-8052-B4C04F4A4B32',
    macs: ['02:42:ac:11:00:02', '00:50:56:9A:00:01', '00:00:00:00:00:00'],
    arpMac: '02:00:c6:12:00:1e',
  });
  assert.deepEqual(recordIdentifiers(r), {
    uuid: '4c4c4544-0042-3510-8052-b4c04f4a4b32',
    serial: null,
    macs: ['00:50:56:9a:00:01', '02:00:c6:12:00:1e'],
    name: 'lab-ssh.nopelab.test',
    address: '198.18.0.10',
  });
  const kinds = lookupKeys(recordIdentifiers(r), 'a1').map((k) => k.kind);
  assert.deepEqual(kinds, ['uuid', 'uuid', 'mac', 'mac', 'name', 'unid']);
});
