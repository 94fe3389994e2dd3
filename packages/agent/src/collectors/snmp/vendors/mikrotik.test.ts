// MikroTik module over constructed MIKROTIK-MIB answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets, systemVarbinds } from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { mikrotik } from './mikrotik.js';

test('mikrotik reads RouterOS version, serial and firmware, and classes an RB as router', () => {
  const system = parseSystem(systemVarbinds('RouterOS RB4011iGS+', '1.3.6.1.4.1.14988.1')).data;
  const extra = [
    octets('1.3.6.1.4.1.14988.1.1.4.4.0', '7.12.1'),
    octets('1.3.6.1.4.1.14988.1.1.7.3.0', 'HD0123ABC45'),
    octets('1.3.6.1.4.1.14988.1.1.7.4.0', '7.12.1'),
  ];
  const f = mikrotik.describe({ system, chassis: null, extra });
  assert.deepEqual(
    [f.model, f.osVersion, f.serial, f.firmwareVersion, f.role?.role],
    ['RB4011iGS+', '7.12.1', 'HD0123ABC45', '7.12.1', 'router'],
  );
});

test('mikrotik classes CRS as switch', () => {
  const system = parseSystem(systemVarbinds('RouterOS CRS326-24G-2S+', '1.3.6.1.4.1.14988.1')).data;
  assert.equal(mikrotik.describe({ system, chassis: null, extra: [] }).role?.role, 'switch');
});
