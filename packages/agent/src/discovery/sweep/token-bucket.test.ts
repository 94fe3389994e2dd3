// Tests of the connection-rate token bucket with a fake clock.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TokenBucket } from './token-bucket.js';

it('TokenBucket with rate 0 never limits', () => {
  const b = new TokenBucket(0, () => 0);
  for (let i = 0; i < 10_000; i++) assert.equal(b.tryTake(), true);
  assert.equal(b.waitMs(), 0);
});

it('TokenBucket allows a burst of a tenth of a second, then the rate', () => {
  let now = 0;
  const b = new TokenBucket(1000, () => now);
  let taken = 0;
  while (b.tryTake()) taken++;
  assert.equal(taken, 100);
  assert.equal(b.waitMs(), 1);
  now += 50; // 50 tokens refilled
  taken = 0;
  while (b.tryTake()) taken++;
  assert.equal(taken, 50);
});

it('TokenBucket never holds more than its burst after a pause', () => {
  let now = 0;
  const b = new TokenBucket(100, () => now);
  now += 60_000;
  let taken = 0;
  while (b.tryTake()) taken++;
  assert.equal(taken, 10);
  assert.equal(b.waitMs(), 10);
});

it('TokenBucket below 10 per second still grants one token at a time', () => {
  let now = 0;
  const b = new TokenBucket(2, () => now);
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), false);
  assert.equal(b.waitMs(), 500);
  now += 500;
  assert.equal(b.tryTake(), true);
});
