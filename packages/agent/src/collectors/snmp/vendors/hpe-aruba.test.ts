// HPE/Aruba module: the real ProCurve 2810 recording and a constructed ArubaOS-CX sysDescr.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  octets,
  rawRecording,
  readSnmprec,
  systemVarbinds,
} from '../../../../../../test/support/snmprec.js';
import { parseSystem } from '../parsers/system.js';
import { hpeAruba } from './hpe-aruba.js';

const file = new URL('../parsers/testdata/hp-2810.snmprec', import.meta.url);

test('hpe-aruba reads model, revision and ROM from the ProCurve sysDescr', () => {
  const raw = rawRecording(file);
  const descr = raw.text('1.3.6.1.2.1.1.1.0')!;
  const f = hpeAruba.describe({
    system: parseSystem(readSnmprec(file)).data,
    chassis: null,
    extra: [],
  });
  assert.ok(descr.startsWith(`ProCurve ${f.model},`), f.model ?? 'null');
  assert.ok(descr.includes(`revision ${f.osVersion}, ROM ${f.firmwareVersion}`));
  assert.equal(f.osName, 'ProVision');
  assert.equal(f.role?.role, 'switch');
});

test('hpe-aruba reads ArubaOS-CX and the SEMI-MIB serial (constructed)', () => {
  const system = parseSystem(
    systemVarbinds(
      'Aruba JL668A 6300F 24G 4SFP56 Swch FL.10.10.1040',
      '1.3.6.1.4.1.47196.4.1.1.1.300',
    ),
  ).data;
  const extra = [octets('1.3.6.1.4.1.11.2.36.1.1.2.9.0', 'SG12ABC345')];
  const f = hpeAruba.describe({ system, chassis: null, extra });
  assert.deepEqual(
    [f.osName, f.osVersion, f.serial, f.role?.role],
    ['ArubaOS-CX', 'FL.10.10.1040', 'SG12ABC345', 'switch'],
  );
});
