// The vendor list: every module is listed once, with distinct enterprises, and found by number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VENDORS, vendorFor } from './index.js';

test('vendorFor finds each module by its enterprise numbers and nothing for others', () => {
  const ids = VENDORS.map((v) => v.id);
  assert.deepEqual(ids, [...new Set(ids)]);
  for (const v of VENDORS) for (const n of v.enterprises) assert.equal(vendorFor(n)?.id, v.id);
  assert.equal(vendorFor(8072), null);
  assert.equal(vendorFor(null), null);
});
