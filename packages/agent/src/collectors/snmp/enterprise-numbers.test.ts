// The generated enterprise-number table: well-known numbers, its provenance and OID parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ENTERPRISE_NUMBERS_SOURCE,
  EnterpriseNumbers,
  enterpriseNumber,
} from './enterprise-numbers.js';

test('EnterpriseNumbers names the well-known vendors from the IANA registry', () => {
  const e = new EnterpriseNumbers();
  const known: [number, RegExp][] = [
    [9, /^ciscoSystems$/],
    [2636, /^Juniper Networks/],
    [11, /^Hewlett-Packard$/],
    [12356, /^Fortinet/],
    [25461, /^PALO ALTO NETWORKS$/i],
    [14988, /^MikroTik$/],
    [41112, /^Ubiquiti/],
  ];
  for (const [n, re] of known) assert.match(e.name(n) ?? '', re, String(n));
  assert.equal(e.name(-1), null);
  assert.equal(e.name(10_000_000), null);
  assert.ok(ENTERPRISE_NUMBERS_SOURCE.count > 60_000);
  assert.equal(ENTERPRISE_NUMBERS_SOURCE.debianPackage, 'libwireshark-data');
});

test('enterpriseNumber reads the arc under 1.3.6.1.4.1', () => {
  assert.equal(enterpriseNumber('1.3.6.1.4.1.9.1.516'), 9);
  assert.equal(enterpriseNumber('.1.3.6.1.4.1.2636.1.1.1.2.132'), 2636);
  assert.equal(enterpriseNumber('1.3.6.1.2.1.1'), null);
  assert.equal(enterpriseNumber(null), null);
});
