import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentStatus } from './status.js';

test('agentStatus: offline after three intervals without contact, else what the agent reported', () => {
  const seen = '2026-11-29T10:00:00.000Z';
  const at = (s: number) => Date.parse(seen) + s * 1000;
  const cases: [string | null, string | null, number, string][] = [
    [seen, null, 1, 'online'],
    [seen, 'idle', 44, 'online'],
    [seen, 'idle', 45, 'online'],
    [seen, 'idle', 45.001, 'offline'],
    [seen, 'scanning', 10, 'scanning'],
    [seen, 'error', 10, 'error'],
    [seen, 'scanning', 60, 'offline'],
    [null, null, 0, 'offline'],
  ];
  for (const [last, reported, s, want] of cases) {
    assert.equal(
      agentStatus({ lastSeenAt: last, reportedStatus: reported }, at(s), 15000),
      want,
      `${reported} +${s}s`,
    );
  }
});
