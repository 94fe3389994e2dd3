// Tests of MAC normalisation and vendor lookup against the oui-data registry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isLocallyAdministered, isUnusableMac, normalizeMac, OuiDatabase } from './oui.js';

it('normalizeMac accepts colon, dash, dotted and short-octet forms', () => {
  assert.equal(normalizeMac('00-1C-42-0A-0B-0C'), '00:1c:42:0a:0b:0c');
  assert.equal(normalizeMac('0:1c:42:a:b:c'), '00:1c:42:0a:0b:0c');
  assert.equal(normalizeMac('001c.420a.0b0c'), '00:1c:42:0a:0b:0c');
  assert.equal(normalizeMac('001c420a0b0c'), '00:1c:42:0a:0b:0c');
  assert.equal(normalizeMac('00:1c:42'), null);
  assert.equal(normalizeMac('zz:1c:42:0a:0b:0c'), null);
});

it('isUnusableMac and isLocallyAdministered classify special addresses', () => {
  assert.equal(isUnusableMac('00:00:00:00:00:00'), true);
  assert.equal(isUnusableMac('ff:ff:ff:ff:ff:ff'), true);
  assert.equal(isUnusableMac('01:00:5e:00:00:fb'), true);
  assert.equal(isUnusableMac('00:1c:42:0a:0b:0c'), false);
  assert.equal(isLocallyAdministered('52:54:00:12:34:56'), true);
  assert.equal(isLocallyAdministered('da:a1:19:00:00:01'), true);
  assert.equal(isLocallyAdministered('00:1c:42:0a:0b:0c'), false);
});

it('OuiDatabase finds vendors in the real registry, longest prefix first', async () => {
  const db = new OuiDatabase();
  assert.equal(await db.vendor('00:1c:42:0a:0b:0c'), 'Parallels, Inc.');
  // C8:5C:E2:7… is an MA-M block inside an IEEE Registration Authority MA-L.
  const mam = await db.vendor('c8:5c:e2:7a:bc:de');
  assert.ok(mam && mam !== 'IEEE Registration Authority', `got ${mam}`);
  assert.equal(await db.vendor('52:54:00:12:34:56'), null);
  assert.equal(await db.vendor('01:00:5e:00:00:fb'), null);
  assert.equal(await db.vendor('not a mac'), null);
});

it('OuiDatabase loads its registry once and only when asked about a global MAC', async () => {
  let loads = 0;
  const db = new OuiDatabase(async () => {
    loads++;
    return { '3C22FB': 'Apple, Inc.\nOne Apple Park Way' };
  });
  assert.equal(await db.vendor('52:54:00:12:34:56'), null);
  assert.equal(loads, 0);
  const [a, b] = await Promise.all([
    db.vendor('3c:22:fb:00:00:01'),
    db.vendor('3c-22-fb-00-00-02'),
  ]);
  assert.equal(a, 'Apple, Inc.');
  assert.equal(b, 'Apple, Inc.');
  assert.equal(loads, 1);
});
