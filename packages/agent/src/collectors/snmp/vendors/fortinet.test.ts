// Fortinet module over constructed answers in the format FortiGate agents send.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets, systemVarbinds } from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { fortinet } from './fortinet.js';

test('fortinet reads FortiOS version, serial and model, and classes a FortiGate as firewall', () => {
  const system = parseSystem(systemVarbinds('FortiGate-60F', '1.3.6.1.4.1.12356.101.1.641')).data;
  const extra = [
    octets('1.3.6.1.4.1.12356.101.4.1.1.0', 'v7.2.5,build1517,230606 (GA.F)'),
    octets('1.3.6.1.4.1.12356.100.1.1.1.0', 'FGT60FTK2109ABCD'),
  ];
  const f = fortinet.describe({ system, chassis: null, extra });
  assert.deepEqual(
    [f.model, f.osName, f.osVersion, f.serial, f.role?.role],
    ['FortiGate-60F', 'FortiOS', '7.2.5 build 1517', 'FGT60FTK2109ABCD', 'firewall'],
  );
});

test('fortinet without fgSysVersion does not claim a firewall for a FortiSwitch', () => {
  const system = parseSystem(
    systemVarbinds('FortiSwitch-248E-POE', '1.3.6.1.4.1.12356.106.1.2481'),
  ).data;
  const f = fortinet.describe({ system, chassis: null, extra: [] });
  assert.equal(f.role?.role, 'switch');
});
