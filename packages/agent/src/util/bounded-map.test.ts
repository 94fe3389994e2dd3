import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMap } from './bounded-map.js';

async function* counting(n: number, pulled: { count: number }) {
  for (let i = 0; i < n; i++) {
    pulled.count++;
    yield i;
  }
}

test('boundedMap yields every result once', async () => {
  const pulled = { count: 0 };
  const out: number[] = [];
  for await (const r of boundedMap(counting(50, pulled), 4, async (i) => i * 2)) out.push(r);
  assert.deepEqual(
    out.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i * 2),
  );
});

test('boundedMap never has more than `concurrency` calls in flight', async () => {
  const pulled = { count: 0 };
  let inFlight = 0;
  let peak = 0;
  const gate: (() => void)[] = [];
  const it = boundedMap(counting(20, pulled), 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => gate.push(resolve));
    inFlight--;
    return i;
  });
  const first = it.next();
  await new Promise((r) => setImmediate(r));
  assert.equal(pulled.count, 3, 'pulls only as many items as there are slots');
  while (gate.length) gate.shift()!();
  await first;
  for (let n = 0; n < 40 && gate.length + pulled.count > 0; n++) {
    while (gate.length) gate.shift()!();
    const step = await it.next();
    if (step.done) break;
  }
  assert.equal(peak, 3);
});

test('boundedMap stops pulling when the consumer stops', async () => {
  const pulled = { count: 0 };
  for await (const r of boundedMap(counting(1000, pulled), 2, async (i) => i)) {
    if (r >= 0) break;
  }
  assert.ok(pulled.count <= 3, `pulled ${pulled.count}`);
});
