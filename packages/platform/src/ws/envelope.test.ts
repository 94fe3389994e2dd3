import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envelope, parseFrame } from './envelope.js';

const ok = {
  v: 1,
  type: 'heartbeat',
  id: 'a1',
  replyTo: null,
  ts: '2026-11-29T10:00:00.000Z',
  payload: {},
};

test('parseFrame accepts a well-formed envelope', () => {
  const r = parseFrame(JSON.stringify(ok), false);
  assert.deepEqual(r, { ok: true, message: ok });
});

test('parseFrame refuses, saying why, with replyTo when the id was readable', () => {
  const cases: [string | Buffer, boolean, RegExp, string | null][] = [
    [Buffer.from('{}'), true, /binary/, null],
    ['x'.repeat(2000), false, /over 1000/, null],
    ['{nope', false, /not JSON/, null],
    ['"str"', false, /not a JSON object/, null],
    [JSON.stringify({ ...ok, v: 2 }), false, /v must be 1/, 'a1'],
    [JSON.stringify({ ...ok, type: '' }), false, /type/, 'a1'],
    [JSON.stringify({ ...ok, id: 7 }), false, /id must be/, null],
    [JSON.stringify({ ...ok, replyTo: 5 }), false, /replyTo/, 'a1'],
    [JSON.stringify({ ...ok, ts: undefined }), false, /ts/, 'a1'],
    [JSON.stringify({ ...ok, payload: [1] }), false, /payload/, 'a1'],
  ];
  for (const [frame, binary, why, replyTo] of cases) {
    const r = parseFrame(frame, binary, 1000);
    assert.equal(r.ok, false, String(frame).slice(0, 30));
    if (!r.ok) {
      assert.match(r.message, why);
      assert.equal(r.replyTo, replyTo);
    }
  }
});

test('envelope builds a v1 message with a fresh id', () => {
  const m = envelope('scan.start', { targets: [] }, null, new Date('2026-11-29T10:00:00Z'));
  assert.equal(m.v, 1);
  assert.equal(m.ts, '2026-11-29T10:00:00.000Z');
  assert.notEqual(m.id, envelope('x', {}).id);
});
