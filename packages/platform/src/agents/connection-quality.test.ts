import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionQuality, remember, type LinkStats } from './connection-quality.js';

const I = 15_000;
const ctx = (nowMs: number, connected = true) => ({ connected, nowMs, heartbeatIntervalMs: I });
const stats = (heartbeats: number[], reconnects: number[] = []): LinkStats => ({
  connectedSince: 0,
  reconnects,
  heartbeats,
});

test('connectionQuality grades heartbeat regularity and reconnects', () => {
  const cases: [string, LinkStats | undefined, number, boolean, string][] = [
    ['never connected', undefined, 0, false, 'down'],
    ['disconnected', stats([0, I, 2 * I]), 2 * I, false, 'down'],
    ['one gap is too few to judge', stats([0, I]), I, true, 'unknown'],
    ['regular', stats([0, I, 2 * I, 3 * I]), 3 * I + 1, true, 'good'],
    ['one late gap of four', stats([0, I, 2 * I, 4 * I, 5 * I]), 5 * I, true, 'fair'],
    ['a reconnect within the hour', stats([0, I, 2 * I], [I]), 2 * I, true, 'fair'],
    ['a reconnect long ago', stats([0, I, 2 * I], [-2 * 3600e3]), 2 * I, true, 'good'],
    ['mostly late', stats([0, 3 * I, 6 * I, 7 * I]), 7 * I, true, 'poor'],
    ['silent now: the current gap counts', stats([0, I, 2 * I]), 5 * I, true, 'poor'],
    ['four reconnects in the hour', stats([0, I, 2 * I], [1, 2, 3, 4]), 2 * I, true, 'poor'],
  ];
  for (const [name, s, now, connected, grade] of cases) {
    assert.equal(connectionQuality(s, ctx(now, connected)).grade, grade, name);
  }
});

test('connectionQuality reports the figures it graded on', () => {
  const q = connectionQuality(stats([0, I, 3 * I]), ctx(3 * I));
  assert.deepEqual(q, {
    grade: 'poor',
    connectedSince: new Date(0).toISOString(),
    reconnectsLastHour: 0,
    gaps: 2,
    onTimeRatio: 0.5,
    maxGapMs: 2 * I,
    heartbeatIntervalMs: I,
  });
  assert.equal(connectionQuality(stats([0]), ctx(1, false)).connectedSince, null);
});

test('remember keeps the newest entries', () => {
  const h: number[] = [];
  for (let i = 0; i < 5; i++) remember(h, i, 3);
  assert.deepEqual(h, [2, 3, 4]);
});
