// Tests of the neighbour-table parsers on captured text and of lookupMacs with a fake table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import {
  lookupMacs,
  parseArpAn,
  parseIpNeighJson,
  parseProcNetArp,
  parseWindowsArp,
} from './neighbors.js';
import { OuiDatabase } from './oui.js';

const data = (name: string): string =>
  readFileSync(new URL(`./testdata/neighbors/${name}`, import.meta.url), 'utf8');

it('parseProcNetArp keeps complete entries and drops incomplete zero MACs', () => {
  const t = parseProcNetArp(data('proc-net-arp.txt'));
  assert.equal(t.get('198.18.1.85'), 'b6:c3:2b:89:1f:77');
  assert.equal(t.get('198.18.0.77'), '00:1c:42:12:34:56');
  assert.equal(t.has('198.18.1.254'), false);
  assert.equal(t.size, 4);
});

it('parseIpNeighJson drops FAILED entries and keeps IPv6 neighbours', () => {
  const t = parseIpNeighJson(data('ip-neigh.json'));
  assert.equal(t.get('198.18.0.100'), '2a:9b:e3:6c:1d:37');
  assert.equal(t.get('fe80::5054:ff:fe12:3456'), '52:54:00:12:34:56');
  assert.equal(t.has('198.18.1.254'), false);
  assert.equal(t.size, 5);
  assert.equal(parseIpNeighJson('not json').size, 0);
});

it('parseArpAn reads macOS short octets and skips incomplete, broadcast and multicast', () => {
  const mac = parseArpAn(data('arp-an-macos.txt'));
  assert.deepEqual(
    [...mac],
    [
      ['192.0.2.1', '00:1c:42:0a:0b:0c'],
      ['192.0.2.20', '3c:22:fb:12:34:56'],
    ],
  );
  const bsd = parseArpAn(data('arp-an-freebsd.txt'));
  assert.equal(bsd.get('192.0.2.1'), '00:1c:42:0a:0b:0c');
  assert.equal(bsd.get('192.0.2.10'), '52:54:00:ab:cd:ef');
  assert.equal(bsd.size, 2);
});

it('parseWindowsArp reads dashed MACs and skips invalid, broadcast and multicast', () => {
  const t = parseWindowsArp(data('arp-a-windows.txt'));
  assert.deepEqual(
    [...t],
    [
      ['192.0.2.1', '00:1c:42:0a:0b:0c'],
      ['192.0.2.30', '3c:22:fb:12:34:56'],
    ],
  );
});

it('lookupMacs returns MAC and vendor for on-link addresses only', async () => {
  let loads = 0;
  const oui = new OuiDatabase(async () => {
    loads++;
    return { '001C42': 'Parallels, Inc.\n660 SW 39h Street\nRenton WA 98057\nUnited States' };
  });
  const table = parseIpNeighJson(data('ip-neigh.json'));
  const r = await lookupMacs(['198.18.0.77', '198.18.0.100', '198.18.4.1', '198.18.1.254'], {
    signal: new AbortController().signal,
    oui,
    readTable: async () => table,
  });
  assert.deepEqual(r.get('198.18.0.77'), { mac: '00:1c:42:12:34:56', vendor: 'Parallels, Inc.' });
  // A veth's random, locally administered MAC: no vendor.
  assert.deepEqual(r.get('198.18.0.100'), { mac: '2a:9b:e3:6c:1d:37', vendor: null });
  assert.equal(r.has('198.18.4.1'), false);
  assert.equal(r.has('198.18.1.254'), false);
  assert.equal(loads, 1);
});

it('lookupMacs does not load the OUI registry when no MAC is found', async () => {
  let loads = 0;
  const oui = new OuiDatabase(async () => {
    loads++;
    return {};
  });
  const r = await lookupMacs(['198.18.4.1'], {
    signal: new AbortController().signal,
    oui,
    readTable: async () => new Map(),
  });
  assert.equal(r.size, 0);
  assert.equal(loads, 0);
});
