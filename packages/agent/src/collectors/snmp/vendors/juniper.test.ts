// Juniper module over constructed sysDescrs in the format Junos agents send.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets, systemVarbinds } from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { juniper } from './juniper.js';

const sys = (d: string): ReturnType<typeof parseSystem>['data'] =>
  parseSystem(systemVarbinds(d, '1.3.6.1.4.1.2636.1.1.1.2.132')).data;

test('juniper reads model, Junos version and the jnxBox serial', () => {
  const f = juniper.describe({
    system: sys(
      'Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 21.4R3-S4.9, Build date: 2023-03-01',
    ),
    chassis: null,
    extra: [octets('1.3.6.1.4.1.2636.3.1.3.0', 'PE3719AF0123')],
  });
  assert.deepEqual(
    [f.model, f.osName, f.osVersion, f.serial, f.role?.role],
    ['ex4300-48t', 'Junos', '21.4R3-S4.9', 'PE3719AF0123', 'switch'],
  );
});

test('juniper classes SRX as firewall and MX as router', () => {
  const srx = juniper.describe({
    system: sys('Juniper Networks, Inc. srx345 internet router, kernel JUNOS 22.4R2'),
    chassis: null,
    extra: [],
  });
  assert.equal(srx.role?.role, 'firewall');
  const mx = juniper.describe({
    system: sys('Juniper Networks, Inc. mx204 internet router, kernel JUNOS 22.4R2'),
    chassis: null,
    extra: [],
  });
  assert.equal(mx.role?.role, 'router');
});
