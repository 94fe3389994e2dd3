// Palo Alto module over constructed PAN-COMMON-MIB answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets, systemVarbinds } from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { paloalto } from './paloalto.js';

test('paloalto reads PAN-OS version, hardware version, serial and model', () => {
  const system = parseSystem(
    systemVarbinds('Palo Alto Networks PA-3200 series firewall', '1.3.6.1.4.1.25461.2.3.38'),
  ).data;
  const extra = [
    octets('1.3.6.1.4.1.25461.2.1.2.1.1.0', '10.2.7-h3'),
    octets('1.3.6.1.4.1.25461.2.1.2.1.2.0', '2.0'),
    octets('1.3.6.1.4.1.25461.2.1.2.1.3.0', '013201001234'),
  ];
  const f = paloalto.describe({ system, chassis: null, extra });
  assert.deepEqual(
    [f.model, f.osName, f.osVersion, f.hardwareVersion, f.serial, f.role?.role],
    ['PA-3200', 'PAN-OS', '10.2.7-h3', '2.0', '013201001234', 'firewall'],
  );
});

test('paloalto does not call Panorama a firewall', () => {
  const system = parseSystem(
    systemVarbinds('Palo Alto Networks Panorama M-200', '1.3.6.1.4.1.25461.2.3.29'),
  ).data;
  assert.equal(paloalto.describe({ system, chassis: null, extra: [] }).role, null);
});
