// Cisco module: the real 3750 recording (IOS, ENTITY chassis) and constructed ASA/NX-OS sysDescrs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  rawRecording,
  readSnmprec,
  systemVarbinds,
} from '../../../../../../test/support/snmprec.js';
import { parseEntity } from '../parsers/entity.js';
import { parseSystem } from '../parsers/system.js';
import { cisco } from './cisco.js';

const file = new URL('../parsers/testdata/cisco-3750.snmprec', import.meta.url);

test('cisco reads IOS version from sysDescr and model/serial from the ENTITY chassis', () => {
  const vbs = readSnmprec(file);
  const raw = rawRecording(file);
  const chassis = parseEntity(vbs).data.chassis;
  const f = cisco.describe({ system: parseSystem(vbs).data, chassis, extra: [] });
  const descr = raw.text('1.3.6.1.2.1.1.1.0')!;
  assert.equal(f.osName, 'IOS');
  assert.ok(descr.includes(`Version ${f.osVersion},`), f.osVersion ?? 'null');
  assert.equal(f.model, chassis?.model);
  assert.equal(f.serial, chassis?.serial);
  assert.equal(f.role?.role, 'switch');
});

test('cisco recognises ASA as a firewall and NX-OS versions (constructed sysDescrs)', () => {
  const asa = parseSystem(
    systemVarbinds('Cisco Adaptive Security Appliance Version 9.16(4)', '1.3.6.1.4.1.9.1.2313'),
  ).data;
  const f = cisco.describe({ system: asa, chassis: null, extra: [] });
  assert.deepEqual([f.osName, f.osVersion, f.role?.role], ['ASA', '9.16(4)', 'firewall']);
  const nx = parseSystem(
    systemVarbinds(
      'Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(8), RELEASE SOFTWARE Copyright (c) 2002-2021',
      '1.3.6.1.4.1.9.12.3.1.3.1812',
    ),
  ).data;
  const n = cisco.describe({ system: nx, chassis: null, extra: [] });
  assert.deepEqual([n.osName, n.osVersion], ['NX-OS', '9.3(8)']);
});
