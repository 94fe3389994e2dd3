// Golden test: collect over a replay of the Cisco 3750 recording; values checked against the file.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeWalker, rawRecording, readSnmprec } from '../../../../../test/support/snmprec.js';
import { ScannerError } from '../../errors.js';
import { collectSnmpInventory, WALK_ROOTS } from './index.js';

const file = (name: string): URL => new URL(`./parsers/testdata/${name}`, import.meta.url);
const signal = new AbortController().signal;
const hexMac = (hex: string): string => hex.match(/../g)!.join(':');

describe('collectSnmpInventory over the Cisco 3750 recording', async () => {
  const raw = rawRecording(file('cisco-3750.snmprec'));
  const inv = await collectSnmpInventory(fakeWalker(readSnmprec(file('cisco-3750.snmprec'))), {
    signal,
  });

  test('identity: sysName, the chassis serial and the interface MACs', () => {
    assert.equal(inv.error, null);
    assert.equal(inv.ci.identity.hostname, raw.text('1.3.6.1.2.1.1.5.0')!.toLowerCase());
    assert.deepEqual(inv.hostnames, [{ name: raw.text('1.3.6.1.2.1.1.5.0'), source: 'snmp' }]);
    const chassisClass = raw.under('1.3.6.1.2.1.47.1.1.1.1.5').find((o) => raw.text(o) === '3')!;
    const idx = chassisClass.split('.').pop();
    assert.equal(inv.ci.identity.serial, raw.text(`1.3.6.1.2.1.47.1.1.1.1.11.${idx}`));
    const macs = new Set(
      raw
        .under('1.3.6.1.2.1.2.2.1.6')
        .map((o) => raw.hex(o))
        .filter((h): h is string => !!h && h.length === 12 && h !== '000000000000')
        .map(hexMac),
    );
    assert.deepEqual(new Set(inv.ci.identity.macs), macs);
    assert.equal(inv.sections.identity, 'complete');
  });

  test('system: vendor, model, IOS version and the class with its reason', () => {
    const s = inv.ci.system;
    assert.equal(s.objectId, raw.text('1.3.6.1.2.1.1.2.0'));
    assert.equal(s.enterpriseNumber, 9);
    assert.equal(s.enterprise, 'ciscoSystems');
    assert.equal(s.vendor, 'Cisco');
    assert.equal(s.location, raw.text('1.3.6.1.2.1.1.6.0'));
    assert.ok(raw.text('1.3.6.1.2.1.1.1.0')!.includes(`Version ${s.osVersion},`));
    assert.equal(s.deviceRole, 'switch');
    assert.equal(inv.ci.type, 'network_device');
    assert.deepEqual(inv.type, { type: 'network_device', role: 'switch', reason: s.roleReason });
    assert.ok(s.roleReason.length > 0);
  });

  test('interfaces and addresses match ifTable, ifXTable and ipAddrTable', () => {
    assert.equal(inv.ci.interfaces.length, raw.under('1.3.6.1.2.1.2.2.1.1').length);
    for (const i of inv.ci.interfaces) {
      assert.equal(i.name, raw.text(`1.3.6.1.2.1.31.1.1.1.1.${i.index}`));
      assert.equal(i.alias, raw.text(`1.3.6.1.2.1.31.1.1.1.18.${i.index}`)?.trim() || null);
    }
    const addrRows = raw.under('1.3.6.1.2.1.4.20.1.1');
    assert.equal(inv.ci.addresses.length, addrRows.length);
    for (const a of inv.ci.addresses) {
      const ifIndex = Number(raw.text(`1.3.6.1.2.1.4.20.1.2.${a.address}`));
      assert.equal(a.ifIndex, ifIndex);
      assert.equal(a.ifName, raw.text(`1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`));
    }
    assert.equal(inv.sections.interfaces, 'complete');
    assert.equal(inv.sections.addresses, 'complete');
  });

  test('neighbours: the CDP neighbour, ARP entries and the learnt FDB entry as connected_to', () => {
    const cdpIndex = raw
      .under('1.3.6.1.4.1.9.9.23.1.2.1.1.6')[0]!
      .slice('1.3.6.1.4.1.9.9.23.1.2.1.1.6.'.length);
    const localIf = cdpIndex.split('.')[0]!;
    const cdp = inv.relationships.filter((r) => r.evidence['source'] === 'cdp');
    assert.equal(cdp.length, 1);
    const ip = raw
      .hex(`1.3.6.1.4.1.9.9.23.1.2.1.1.4.${cdpIndex}`)!
      .match(/../g)!
      .map((h) => parseInt(h, 16))
      .join('.');
    assert.equal(cdp[0]!.type, 'connected_to');
    assert.equal(cdp[0]!.target, ip);
    assert.equal(cdp[0]!.evidence['localPort'], raw.text(`1.3.6.1.2.1.31.1.1.1.1.${localIf}`));
    assert.equal(
      cdp[0]!.evidence['remotePort'],
      raw.text(`1.3.6.1.4.1.9.9.23.1.2.1.1.7.${cdpIndex}`),
    );
    assert.equal(
      cdp[0]!.evidence['remoteSystemName'],
      raw.text(`1.3.6.1.4.1.9.9.23.1.2.1.1.6.${cdpIndex}`),
    );

    const arpRows = raw.under('1.3.6.1.2.1.4.22.1.2');
    const own = new Set(inv.ci.identity.macs);
    const expectedArp = arpRows.filter((o) => !own.has(hexMac(raw.hex(o)!)));
    const arp = inv.relationships.filter((r) => r.evidence['source'] === 'arp');
    assert.equal(arp.length, expectedArp.length);
    for (const o of expectedArp) {
      const [ifIndex, ...addr] = o.slice('1.3.6.1.2.1.4.22.1.2.'.length).split('.');
      const r = arp.find((x) => x.target === addr.join('.'));
      assert.equal(r?.evidence['mac'], hexMac(raw.hex(o)!));
      assert.equal(r?.evidence['localIfIndex'], Number(ifIndex));
    }

    const fdbOid = raw.under('1.3.6.1.2.1.17.4.3.1.2')[0]!;
    const fdbMac = fdbOid
      .slice('1.3.6.1.2.1.17.4.3.1.2.'.length)
      .split('.')
      .map((b) => Number(b).toString(16).padStart(2, '0'))
      .join(':');
    const fdb = inv.relationships.filter((r) => r.evidence['source'] === 'fdb');
    assert.equal(fdb.length, 1);
    assert.equal(fdb[0]!.evidence['mac'], fdbMac);
    const port = raw.text(fdbOid)!;
    const ifIndex = raw.text(`1.3.6.1.2.1.17.1.4.1.2.${port}`)!;
    assert.equal(fdb[0]!.evidence['localPort'], raw.text(`1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`));
    // ARP knows this MAC, so the target is its IP.
    const arpIp = arpRows
      .find((o) => hexMac(raw.hex(o)!) === fdbMac)
      ?.split('.')
      .slice(-4)
      .join('.');
    assert.equal(fdb[0]!.target, arpIp ?? fdbMac);
    assert.equal(inv.sections.neighbors, 'complete');
    assert.equal(inv.sections.forwarding, 'complete');
  });

  test('sections the switch does not have are unsupported', () => {
    assert.equal(inv.sections.software, 'unsupported');
    assert.equal(inv.sections.processes, 'unsupported');
    assert.equal(inv.ci.hardware, null);
  });
});

describe('collectSnmpInventory on other devices and failures', () => {
  test('collectSnmpInventory classes the lab snmpd as a server with software and processes', async () => {
    const inv = await collectSnmpInventory(
      fakeWalker(readSnmprec(file('lab-snmpd-debian12.snmprec'))),
      { signal },
    );
    assert.equal(inv.ci.type, 'server');
    assert.equal(inv.sections.software, 'complete');
    assert.ok(inv.ci.software.length > 100);
    assert.equal(inv.ci.system.vendor, 'net-snmp');
  });

  test('collectSnmpInventory classes Windows XP as a workstation', async () => {
    const inv = await collectSnmpInventory(fakeWalker(readSnmprec(file('winxp.snmprec'))), {
      signal,
    });
    assert.equal(inv.ci.type, 'workstation');
    assert.equal(inv.ci.system.vendor, 'Microsoft');
  });

  test('a failed or truncated walk makes its section partial with a note, others unaffected', async () => {
    const vbs = readSnmprec(file('cisco-3750.snmprec'));
    const failures = {
      '1.3.6.1.2.1.4.22': {
        error: new ScannerError('ERR_TIMEOUT', 'snmp walk timed out'),
        partialCount: 10,
      },
    };
    const inv = await collectSnmpInventory(fakeWalker(vbs, { failures }), {
      signal,
      maxVarbindsPerWalk: 100,
    });
    assert.equal(inv.sections.arp, 'partial');
    assert.ok(inv.notes.arp?.some((n) => n.includes('ERR_TIMEOUT')));
    assert.equal(inv.sections.interfaces, 'partial');
    assert.ok(inv.notes.interfaces?.some((n) => n.includes('cut at 100 varbinds')));
    assert.deepEqual(inv.stats.failedWalks, ['1.3.6.1.2.1.4.22']);
    assert.equal(inv.sections.neighbors, 'complete');
  });

  test('no answer to the system group gives every section the error state and no walks', async () => {
    const calls: string[] = [];
    const walker = fakeWalker([], { calls });
    walker.get = () =>
      Promise.reject(new ScannerError('ERR_TIMEOUT', 'snmp v2c request timed out'));
    const inv = await collectSnmpInventory(walker, { signal });
    assert.equal(inv.error?.code, 'ERR_TIMEOUT');
    assert.ok(Object.values(inv.sections).every((s) => s === 'timeout'));
    assert.ok(calls.every((c) => !c.startsWith('walk 1.3.6.1.2.1.2')));
  });

  test('a refused user makes every section denied', async () => {
    const walker = fakeWalker([]);
    walker.get = () =>
      Promise.reject(new ScannerError('ERR_AUTH_FAILED', 'snmp v3 authentication failed'));
    walker.walk = () =>
      Promise.reject(new ScannerError('ERR_AUTH_FAILED', 'snmp v3 authentication failed'));
    const inv = await collectSnmpInventory(walker, { signal });
    assert.equal(inv.error?.code, 'ERR_AUTH_FAILED');
    assert.ok(Object.values(inv.sections).every((s) => s === 'denied'));
  });

  test('the system group is walked when the GET fails', async () => {
    const calls: string[] = [];
    const walker = fakeWalker(readSnmprec(file('hp-2810.snmprec')), { calls });
    walker.get = () =>
      Promise.reject(new ScannerError('ERR_PROTOCOL', 'snmp v1 agent answered NoSuchName'));
    const inv = await collectSnmpInventory(walker, { signal });
    assert.ok(calls.includes('walk 1.3.6.1.2.1.1'));
    assert.equal(inv.error, null);
    assert.equal(inv.ci.system.deviceRole, 'switch');
  });

  test('an abort of the scan is rethrown as ERR_ABORTED', async () => {
    const ac = new AbortController();
    const walker = fakeWalker(readSnmprec(file('cisco-3750.snmprec')));
    const walk = walker.walk.bind(walker);
    walker.walk = (root, o) => {
      ac.abort();
      return walk(root, o);
    };
    await assert.rejects(
      collectSnmpInventory(walker, { signal: ac.signal }),
      (e: unknown) => e instanceof ScannerError && e.code === 'ERR_ABORTED',
    );
  });

  test('when the budget runs out, walks not read are timeout and the read ones kept', async () => {
    const vbs = readSnmprec(file('cisco-3750.snmprec'));
    const walker = fakeWalker(vbs);
    const walk = walker.walk.bind(walker);
    // The interface walks answer; every other walk hangs until the budget's signal fires.
    walker.walk = (root, o) =>
      root.startsWith('1.3.6.1.2.1.2.2') || root.startsWith('1.3.6.1.2.1.31')
        ? walk(root, o)
        : new Promise((_, reject) =>
            o.signal.addEventListener(
              'abort',
              () => reject(new ScannerError('ERR_TIMEOUT', 'deadline')),
              { once: true },
            ),
          );
    // AbortSignal.timeout does not hold the event loop open (a real socket would): this does.
    const keepAlive = setInterval(() => undefined, 1000);
    const inv = await collectSnmpInventory(walker, {
      signal,
      timeoutMs: 50,
      concurrency: WALK_ROOTS.length,
    }).finally(() => clearInterval(keepAlive));
    assert.equal(inv.error?.code, 'ERR_TIMEOUT');
    assert.equal(inv.sections.interfaces, 'complete');
    assert.equal(inv.sections.arp, 'timeout');
    assert.ok(inv.ci.interfaces.length > 0);
  });
});
