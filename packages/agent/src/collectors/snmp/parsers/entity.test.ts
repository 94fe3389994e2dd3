// Tests of the ENTITY-MIB parser over the Cisco 3750 recording.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { ENT_PHYSICAL_ENTRY, parseEntity } from './entity.js';

const file = new URL('./testdata/cisco-3750.snmprec', import.meta.url);

test('parseEntity finds the stack member chassis with its serial, model and revisions', () => {
  const raw = rawRecording(file);
  const r = parseEntity(readSnmprec(file));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  // The chassis row is the one of class 3 (chassis) in the file.
  const classOids = raw.under(`${ENT_PHYSICAL_ENTRY}.5`).filter((o) => raw.text(o) === '3');
  assert.equal(classOids.length, 1);
  const idx = classOids[0]!.split('.').pop()!;
  const col = (c: number): string | undefined => raw.text(`${ENT_PHYSICAL_ENTRY}.${c}.${idx}`);
  assert.equal(r.data.chassis?.index, Number(idx));
  assert.equal(r.data.chassis?.serial, col(11));
  assert.equal(r.data.chassis?.model, col(13));
  assert.equal(r.data.chassis?.hardwareRevision, col(8));
  assert.equal(r.data.chassis?.softwareRevision, col(10));
  assert.equal(r.data.totalEntities, raw.under(`${ENT_PHYSICAL_ENTRY}.5`).length);
  assert.ok(r.data.components.every((c) => !['port', 'sensor', 'container'].includes(c.class)));
});

test('parseEntity is unsupported on a host without ENTITY-MIB', () => {
  const r = parseEntity(readSnmprec(new URL('./testdata/winxp.snmprec', import.meta.url)));
  assert.equal(r.state, 'unsupported');
  assert.equal(r.data.chassis, null);
});
