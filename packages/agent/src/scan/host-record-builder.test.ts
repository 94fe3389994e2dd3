// Unit tests of buildHostRecord's SNMP discovery facts (sysDescr, SNMPv3 engine).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepResult } from '../discovery/types.js';
import { buildHostRecord } from './host-record-builder.js';

const engine = {
  engineId: '80001f8880e5cc701946040c6b00000000',
  engineIdFormat: 'enterprise' as const,
  enterpriseNumber: 8072,
  engineBoots: 1,
  engineTime: 2,
};

function swept(extra: Partial<SweepResult>): SweepResult {
  return {
    target: { address: '198.18.0.20', family: 4 },
    alive: true,
    foundBy: ['snmp'],
    openTcp: [],
    openUdp: [161],
    rttMs: null,
    startedAt: new Date('2026-11-29T08:00:00.000Z'),
    finishedAt: new Date('2026-11-29T08:00:00.100Z'),
    ...extra,
  };
}

const noFingerprints = { openPorts: [], hostnames: [], macs: [] };

test('buildHostRecord records a v3-only agent’s engine and selects snmp', () => {
  const record = buildHostRecord(swept({ snmpV3: engine }), noFingerprints, []);
  assert.deepEqual(record.discovery.snmpV3, engine);
  assert.equal(record.discovery.snmpSysDescr, undefined);
  assert.deepEqual(record.discovery.candidateProtocols, ['snmp']);
  assert.match(record.ci.typeReason, /snmpv3 engine/);
});

test('buildHostRecord keeps sysDescr and the engine side by side, and omits what is absent', () => {
  const both = buildHostRecord(
    swept({ snmpSysDescr: 'Linux lab', snmpCommunity: 'public', snmpV3: engine }),
    noFingerprints,
    [],
  );
  assert.equal(both.discovery.snmpSysDescr, 'Linux lab');
  assert.deepEqual(both.discovery.snmpV3, engine);
  assert.equal(JSON.stringify(both).includes('public'), false);
  const neither = buildHostRecord(swept({ openUdp: [], foundBy: ['tcp'] }), noFingerprints, []);
  assert.equal('snmpV3' in neither.discovery, false);
});
