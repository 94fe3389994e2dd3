// Tests of the HOST-RESOURCES parsers over the Linux, Windows XP and lab snmpd recordings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import {
  dateAndTime,
  HR,
  parseHrHardware,
  parseHrProcesses,
  parseHrSoftware,
} from './host-resources.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);

test('parseHrHardware reads memory, storage and processors of the Linux host', () => {
  const raw = rawRecording(file('linux-2.6-net-snmp.snmprec'));
  const r = parseHrHardware(readSnmprec(file('linux-2.6-net-snmp.snmprec')));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  assert.equal(r.data.memoryBytes, Number(raw.text(`${HR.memorySize}.0`)) * 1024);
  assert.equal(r.data.storage.length, raw.under(`${HR.storageEntry}.1`).length);
  const processors = raw.under(`${HR.processorEntry}.2`);
  assert.equal(r.data.processors.length, processors.length);
  for (const s of r.data.storage) {
    const unit = Number(raw.text(`${HR.storageEntry}.4.${s.index}`));
    assert.equal(s.sizeBytes, unit * Number(raw.text(`${HR.storageEntry}.5.${s.index}`)));
  }
});

test('parseHrSoftware reads the Windows XP installed software (Latin-1 when not UTF-8)', () => {
  const raw = rawRecording(file('winxp.snmprec'));
  const r = parseHrSoftware(readSnmprec(file('winxp.snmprec')));
  assert.equal(r.state, 'complete', r.warnings.join('; '));
  // This agent sends names in the host's ANSI code page; they are not UTF-8 and read as Latin-1.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const names = raw.under(`${HR.swInstalledEntry}.2`).map((o) => {
    const hex = raw.hex(o);
    if (hex === undefined) return raw.text(o);
    const b = Buffer.from(hex, 'hex');
    try {
      return utf8.decode(b).trim();
    } catch {
      return b.toString('latin1').trim();
    }
  });
  assert.deepEqual(
    r.data.map((s) => s.name),
    names,
  );
  assert.ok(r.data.some((s) => s.name === '\u00b5Torrent'));
});

test('parseHrSoftware and parseHrProcesses read the lab snmpd (dpkg packages, processes)', () => {
  const vbs = readSnmprec(file('lab-snmpd-debian12.snmprec'));
  const raw = rawRecording(file('lab-snmpd-debian12.snmprec'));
  const sw = parseHrSoftware(vbs);
  assert.equal(sw.data.length, raw.under(`${HR.swInstalledEntry}.2`).length);
  const ps = parseHrProcesses(vbs);
  assert.equal(ps.state, 'complete', ps.warnings.join('; '));
  assert.equal(ps.data.length, raw.under(`${HR.swRunEntry}.2`).length);
  const snmpd = ps.data.find((p) => p.name === 'snmpd');
  assert.ok(snmpd);
  assert.equal(snmpd.memoryBytes, Number(raw.text(`${HR.swRunPerfEntry}.2.${snmpd.pid}`)) * 1024);
});

test('parseHrSoftware is unsupported on a host without hrSWInstalled', () => {
  assert.equal(
    parseHrSoftware(readSnmprec(file('linux-2.6-net-snmp.snmprec'))).state,
    'unsupported',
  );
});

test('dateAndTime reads 8 and 11 octet values and rejects year 0', () => {
  assert.equal(dateAndTime(Buffer.from('07e70b1d0a1e0000', 'hex')), '2023-11-29T10:30:00');
  assert.equal(
    dateAndTime(Buffer.from('07e70b1d0a1e00002b0100', 'hex')),
    '2023-11-29T10:30:00+01:00',
  );
  assert.equal(dateAndTime(Buffer.from('0000010100000000', 'hex')), null);
  assert.equal(dateAndTime(Buffer.from('07e7', 'hex')), null);
});
