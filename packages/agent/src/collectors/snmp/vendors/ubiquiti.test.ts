// Ubiquiti module over constructed UniFi and EdgeOS answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets, systemVarbinds } from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { ubiquiti } from './ubiquiti.js';

test('ubiquiti reads a UniFi AP from the UniFi MIB', () => {
  const system = parseSystem(
    systemVarbinds('Linux 3.3.8 #1 Fri Apr 12 2019 mips', '1.3.6.1.4.1.41112'),
  ).data;
  const extra = [
    octets('1.3.6.1.4.1.41112.1.6.3.3.0', 'U7PG2'),
    octets('1.3.6.1.4.1.41112.1.6.3.6.0', '6.5.55.14777'),
  ];
  const f = ubiquiti.describe({ system, chassis: null, extra });
  assert.deepEqual(
    [f.model, f.osName, f.osVersion, f.role?.role],
    ['U7PG2', 'UniFi', '6.5.55.14777', 'access_point'],
  );
});

test('ubiquiti reads EdgeOS routers from sysDescr', () => {
  const system = parseSystem(
    systemVarbinds('EdgeOS v2.0.9-hotfix.7.5622731.230615.0857', '1.3.6.1.4.1.41112.1.5'),
  ).data;
  const f = ubiquiti.describe({ system, chassis: null, extra: [] });
  assert.deepEqual(
    [f.osName, f.osVersion, f.role?.role],
    ['EdgeOS', '2.0.9-hotfix.7.5622731.230615.0857', 'router'],
  );
});
