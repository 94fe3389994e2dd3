import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectProtocols, type SelectionInput } from './protocol-selection.js';

const vsphere = (apiType: string) => ({
  name: 'VMware vCenter Server',
  fullName: 'VMware vCenter Server 7.0.0',
  version: '7.0.0',
  build: '1',
  apiType,
  apiVersion: '7.0',
});

const v3Engine = {
  engineId: '80000009030011223344aa',
  engineIdFormat: 'mac' as const,
  enterpriseNumber: 9,
  engineIdValue: '00:11:22:33:44:aa',
  engineBoots: 3,
  engineTime: 86_400,
};

const cases: [string, SelectionInput, string[], string][] = [
  ['ssh only', { openTcp: [22], openUdp: [] }, ['ssh'], 'unknown'],
  ['445 selects windows', { openTcp: [445], openUdp: [] }, ['windows'], 'unknown'],
  ['135 alone selects windows', { openTcp: [135], openUdp: [] }, ['windows'], 'unknown'],
  ['5986 selects winrm', { openTcp: [5986], openUdp: [] }, ['winrm'], 'unknown'],
  ['udp/161 selects snmp', { openTcp: [], openUdp: [161] }, ['snmp'], 'unknown'],
  ['443 without vSphere selects nothing', { openTcp: [443], openUdp: [] }, [], 'unknown'],
  [
    '443 with vCenter',
    { openTcp: [443], openUdp: [], vsphere: vsphere('VirtualCenter') },
    ['vcenter'],
    'vcenter',
  ],
  [
    'ESXi is a hypervisor',
    { openTcp: [22, 443], openUdp: [], vsphere: vsphere('HostAgent') },
    ['ssh', 'vcenter'],
    'hypervisor',
  ],
  [
    'Cisco sysDescr is a network device',
    { openTcp: [22], openUdp: [161], snmpSysDescr: 'Cisco IOS Software, C2960 Software' },
    ['ssh', 'snmp'],
    'network_device',
  ],
  [
    'an SNMPv3 engine alone selects snmp',
    { openTcp: [], openUdp: [], snmpV3: v3Engine },
    ['snmp'],
    'unknown',
  ],
  ['nothing matches', { openTcp: [80, 3389], openUdp: [] }, [], 'unknown'],
];

for (const [name, input, protocols, type] of cases) {
  test(`selectProtocols: ${name}`, () => {
    const got = selectProtocols(input);
    assert.deepEqual(got.protocols, protocols);
    assert.equal(got.type, type);
    assert.ok(got.typeReason.length > 0);
  });
}

test('selectProtocols says why snmp was picked: a v3 engine without a community', () => {
  const v3Only = selectProtocols({ openTcp: [], openUdp: [161], snmpV3: v3Engine });
  assert.match(v3Only.typeReason, /udp\/161 snmpv3 engine/);
  const both = selectProtocols({
    openTcp: [],
    openUdp: [161],
    snmpSysDescr: 'Linux',
    snmpV3: v3Engine,
  });
  assert.match(both.typeReason, /udp\/161 snmp(;|$)/);
});
