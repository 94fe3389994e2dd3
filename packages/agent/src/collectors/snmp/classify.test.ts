// Classification over the real recordings and constructed evidence for each rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemVarbinds } from '../../../../../test/support/snmprec.js';
import { classify, type ClassifyInput } from './classify.js';
import { parseSystem } from './parsers/system.js';

const none: ClassifyInput['mibs'] = {
  printer: false,
  ups: false,
  bridgePorts: 0,
  hostResources: false,
  installedSoftware: [],
  wirelessInterfaces: 0,
};
const sys = (descr: string, services?: number): ClassifyInput['system'] =>
  parseSystem(systemVarbinds(descr, '1.3.6.1.4.1.99999.1', services)).data;

test('classify: Printer-MIB and UPS-MIB win over everything', () => {
  assert.equal(
    classify({
      system: sys('x', 72),
      hint: null,
      mibs: { ...none, printer: true, hostResources: true },
    }).role,
    'printer',
  );
  assert.equal(
    classify({ system: sys('x', 72), hint: null, mibs: { ...none, ups: true } }).role,
    'ups',
  );
});

test('classify: a vendor hint decides before sysServices, its reason kept', () => {
  const c = classify({
    system: sys('x', 6),
    hint: { role: 'firewall', reason: 'r' },
    mibs: { ...none, bridgePorts: 3 },
  });
  assert.deepEqual([c.role, c.ciType, c.reason], ['firewall', 'network_device', 'r']);
});

test('classify: bridge ports make a switch, forwarding without them a router', () => {
  const sw = classify({ system: sys('x', 6), hint: null, mibs: { ...none, bridgePorts: 34 } });
  assert.equal(sw.role, 'switch');
  assert.match(sw.reason, /BRIDGE-MIB: 34 ports/);
  assert.equal(classify({ system: sys('x', 4), hint: null, mibs: none }).role, 'router');
  assert.equal(
    classify({
      system: sys('x', 2),
      hint: null,
      mibs: { ...none, bridgePorts: 2, wirelessInterfaces: 1 },
    }).role,
    'access_point',
  );
});

test('classify: HOST-RESOURCES hosts are servers, Windows clients workstations', () => {
  assert.equal(
    classify({ system: sys('Linux h 6.1', 72), hint: null, mibs: { ...none, hostResources: true } })
      .ciType,
    'server',
  );
  const xp = sys(
    'Hardware: x86 - Software: Windows 2000 Version 5.1 (Build 2600 Uniprocessor Free)',
    76,
  );
  assert.equal(
    classify({ system: xp, hint: null, mibs: { ...none, hostResources: true } }).role,
    'workstation',
  );
  assert.equal(
    classify({
      system: xp,
      hint: null,
      mibs: { ...none, hostResources: true, installedSoftware: ['Microsoft Windows Server 2003'] },
    }).role,
    'server',
  );
  assert.equal(classify({ system: sys('x'), hint: null, mibs: none }).role, 'unknown');
});
