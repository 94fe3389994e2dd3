// Tests of the RFC 6298 estimator and the host/group timeout policy (pure arithmetic, no clock).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIMING, RttEstimator, TimingModel, groupKey } from './timing.js';

const T = { ...DEFAULT_TIMING, minTimeoutMs: 100, maxTimeoutMs: 10_000, initialTimeoutMs: 1000 };

describe('RttEstimator', () => {
  it('RttEstimator uses the initial timeout before any sample', () => {
    const e = new RttEstimator();
    assert.equal(e.srttMs, null);
    assert.equal(e.timeoutMs(T), 1000);
  });

  it('RttEstimator follows RFC 6298 for the first and later samples', () => {
    const e = new RttEstimator();
    e.sample(200); // SRTT 200, RTTVAR 100 → 600
    assert.equal(e.srttMs, 200);
    assert.equal(e.timeoutMs(T), 600);
    e.sample(100); // RTTVAR = .75·100 + .25·|200−100| = 100; SRTT = .875·200 + .125·100 = 187.5
    assert.equal(e.srttMs, 187.5);
    assert.equal(e.timeoutMs(T), 187.5 + 400);
  });

  it('RttEstimator clamps the timeout to [min, max]', () => {
    const fast = new RttEstimator();
    fast.sample(0.2);
    assert.equal(fast.timeoutMs(T), 100);
    const slow = new RttEstimator();
    slow.sample(5000);
    assert.equal(slow.timeoutMs(T), 10_000);
  });

  it('RttEstimator converges to a steady RTT', () => {
    const e = new RttEstimator();
    for (let i = 0; i < 200; i++) e.sample(300);
    assert.ok(Math.abs(e.srttMs! - 300) < 1e-6);
    assert.ok(Math.abs(e.timeoutMs(T) - 300) < 1);
  });
});

describe('TimingModel', () => {
  it('TimingModel gives a silent host its group timeout, an answering host its own', () => {
    const m = new TimingModel({ ...T, minTimeoutMs: 1 });
    const a = new RttEstimator();
    const b = new RttEstimator();
    const ga = m.join('198.18.4.1');
    const gb = m.join('198.18.4.2');
    assert.equal(ga, gb);
    assert.equal(m.timeoutMs(b, gb), 1000);
    m.sample(a, ga, 20); // group and host: SRTT 20, RTTVAR 10 → 60
    assert.equal(m.timeoutMs(a, ga), 60);
    assert.equal(m.timeoutMs(b, gb), 60);
    m.sample(a, ga, 20);
    m.sample(b, gb, 400); // b answered once: its own estimator (400 + 4·200)
    assert.equal(m.timeoutMs(b, gb), 1200);
    assert.ok(m.timeoutMs(a, ga) < 100);
  });

  it('TimingModel keeps groups separate and forgets a group when its last host leaves', () => {
    const m = new TimingModel(T);
    const h = new RttEstimator();
    const g1 = m.join('198.18.4.1');
    const g2 = m.join('198.18.5.1');
    m.sample(h, g1, 10);
    assert.equal(m.timeoutMs(new RttEstimator(), g2), 1000);
    assert.equal(m.groupCount, 2);
    m.leave(g1);
    m.leave(g2);
    assert.equal(m.groupCount, 0);
    const again = m.join('198.18.4.9');
    assert.equal(m.timeoutMs(new RttEstimator(), again), 1000);
  });

  it('groupKey takes an IPv4 /24 and an IPv6 /64', () => {
    assert.equal(groupKey('198.18.7.232'), '198.18.7.0/24');
    assert.equal(groupKey('2001:db8:1:2::5'), '2001:db8:1:2::/64');
    assert.equal(groupKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(groupKey('::1'), '0:0:0:0::/64');
  });
});
