import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SectionState } from '@nopesight/model';
import { hostRecord } from '../testing/fixtures.js';
import {
  applyRecord,
  mergeIdentity,
  mergePartial,
  mergeSection,
  type SectionEntry,
} from './merge.js';

const T1 = '2026-11-29T08:00:00.000Z';
const T2 = '2026-11-30T08:00:00.000Z';
const T0 = '2026-11-28T08:00:00.000Z';
const held: SectionEntry = {
  state: 'complete',
  data: [{ name: 'a' }, { name: 'b' }],
  observedAt: T1,
  checkedAt: T1,
};

test('mergeSection: complete replaces, partial merges, denied/timeout/unsupported keep', () => {
  const cases: {
    state: SectionState;
    incoming: unknown;
    at: string;
    data: unknown;
    name: string;
  }[] = [
    {
      name: 'complete replaces',
      state: 'complete',
      incoming: [{ name: 'c' }],
      at: T2,
      data: [{ name: 'c' }],
    },
    {
      name: 'complete with an empty list empties',
      state: 'complete',
      incoming: [],
      at: T2,
      data: [],
    },
    {
      name: 'complete without data keeps',
      state: 'complete',
      incoming: undefined,
      at: T2,
      data: held.data,
    },
    {
      name: 'partial adds',
      state: 'partial',
      incoming: [{ name: 'c' }, { name: 'a' }],
      at: T2,
      data: [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
    },
    { name: 'partial empty keeps', state: 'partial', incoming: [], at: T2, data: held.data },
    { name: 'denied keeps', state: 'denied', incoming: undefined, at: T2, data: held.data },
    { name: 'timeout keeps', state: 'timeout', incoming: [], at: T2, data: held.data },
    { name: 'unsupported keeps', state: 'unsupported', incoming: null, at: T2, data: held.data },
    {
      name: 'an older complete run does not overwrite newer data',
      state: 'complete',
      incoming: [{ name: 'old' }],
      at: T0,
      data: held.data,
    },
  ];
  for (const c of cases) {
    const out = mergeSection(held, c.state, c.incoming, c.at);
    assert.deepEqual(out.data, c.data, c.name);
  }
  assert.equal(mergeSection(held, 'denied', undefined, T2).state, 'denied');
  assert.equal(mergeSection(held, 'denied', undefined, T2).observedAt, T1);
  assert.deepEqual(mergeSection(undefined, 'timeout', undefined, T2).data, null);
});

test('mergePartial merges objects key by key and never lets null erase', () => {
  assert.deepEqual(mergePartial({ a: 1, b: { x: 1, y: 2 } }, { b: { y: 3 }, c: null }), {
    a: 1,
    b: { x: 1, y: 3 },
    c: null,
  });
  assert.deepEqual(mergePartial({ kernel: '6.1' }, { kernel: null }), { kernel: '6.1' });
  assert.deepEqual(mergePartial(null, [1]), [1]);
});

test('mergeIdentity: newer names win, junk never replaces a real serial, MACs accumulate', () => {
  const id = mergeIdentity(
    {
      hostname: 'old',
      fqdn: null,
      domain: 'd',
      serial: 'CZ123',
      systemUuid: null,
      macs: ['00:50:56:00:00:01'],
    },
    {
      hostname: 'new',
      fqdn: null,
      domain: null,
      serial: 'To be filled by O.E.M.',
      systemUuid: null,
      macs: ['00-50-56-00-00-02'],
    },
  );
  assert.deepEqual(id, {
    hostname: 'new',
    fqdn: null,
    domain: 'd',
    serial: 'CZ123',
    systemUuid: null,
    macs: ['00:50:56:00:00:02', '00:50:56:00:00:01'],
  });
});

test('applyRecord: a late batch of an older scan fills gaps but does not roll the CI back', () => {
  const now = applyRecord(null, hostRecord({ at: T2, hostname: 'new-name', type: 'server' }), {
    agentId: 'a1',
    scanId: 's2',
    now: T2,
  });
  const late = applyRecord(
    now,
    hostRecord({ at: T1, hostname: 'old-name', address: '10.9.9.9', type: 'workstation' }),
    {
      agentId: 'a1',
      scanId: 's1',
      now: T2,
    },
  );
  assert.equal(late.name, 'new-name');
  assert.equal(late.type, 'server');
  assert.deepEqual(late.addresses, ['198.18.0.10', '10.9.9.9']);
  assert.equal(late.firstSeenAt, T1);
  assert.equal(late.lastSeenAt, T2);
  assert.equal(late.sources[0]!.scanId, 's2');
});

test('applyRecord: an unknown type never downgrades a known one', () => {
  const known = applyRecord(null, hostRecord({ type: 'network_device' }), {
    agentId: 'a',
    scanId: 's',
    now: T1,
  });
  const next = applyRecord(known, hostRecord({ type: 'unknown', at: T2 }), {
    agentId: 'a',
    scanId: 't',
    now: T2,
  });
  assert.equal(next.type, 'network_device');
});
