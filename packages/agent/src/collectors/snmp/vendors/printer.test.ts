// Printer-MIB module over constructed varbinds (RFC 3805 prtGeneralTable/prtMarkerTable).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { octets } from '../../../../../../test/support/snmprec.js';
import { describePrinter, parsePrinter, PRINTER_MIB } from './printer.js';

test('parsePrinter reads name, serial, marker counts and the hrDevice model', () => {
  const vbs = [
    octets(`${PRINTER_MIB.generalEntry}.16.1`, 'LJ-3rd-floor'),
    octets(`${PRINTER_MIB.generalEntry}.17.1`, 'CNB1234567'),
    { oid: `${PRINTER_MIB.markerEntry}.4.1.1`, type: 'Counter', value: 12345 },
  ];
  const devices = [
    { index: 1, type: 'printer', description: 'HP LaserJet 4250', loadPercent: null },
  ];
  const r = parsePrinter(vbs, devices);
  assert.equal(r.state, 'complete');
  assert.deepEqual(r.data, {
    name: 'LJ-3rd-floor',
    serial: 'CNB1234567',
    model: 'HP LaserJet 4250',
    lifeCount: 12345,
  });
  const f = describePrinter(r.data);
  assert.deepEqual(
    [f.model, f.serial, f.role?.role],
    ['HP LaserJet 4250', 'CNB1234567', 'printer'],
  );
});

test('parsePrinter is unsupported without the Printer-MIB', () => {
  assert.equal(parsePrinter([]).state, 'unsupported');
});
