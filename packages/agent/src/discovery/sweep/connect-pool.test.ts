// Tests of the connect pool's timeout judgement and error handling, with fake sockets and clocks.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import {
  ConnectPool,
  classifyConnectError,
  type ConnectJob,
  type ConnectOutcome,
} from './connect-pool.js';

/** A socket that does nothing until the test makes it answer. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  reset = false;
  connectedTo: { port: number; host: string } | null = null;
  connect(o: { port: number; host: string }): this {
    this.connectedTo = o;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  resetAndDestroy(): this {
    this.reset = true;
    this.destroyed = true;
    return this;
  }
  fail(code: string): void {
    this.emit('error', Object.assign(new Error(code), { code }));
  }
}

function harness(opts: { maxInFlight?: number; timeoutMs?: number } = {}) {
  let now = 0;
  const sockets: FakeSocket[] = [];
  const pool = new ConnectPool({
    maxInFlight: opts.maxInFlight ?? 10,
    rateLimitPps: 0,
    tickMs: 10,
    now: () => now,
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s as unknown as Socket;
    },
  });
  const outcomes: { port: number; outcome: ConnectOutcome; rtt: number }[] = [];
  const job = (port: number): ConnectJob => ({
    address: '127.0.0.1',
    port,
    timeoutMs: () => opts.timeoutMs ?? 100,
    settle: (outcome, rtt) => outcomes.push({ port, outcome, rtt }),
  });
  const advance = (ms: number): void => {
    now += ms;
  };
  return { pool, sockets, outcomes, job, advance, setNow: (t: number) => (now = t) };
}

/** Lets the pump (setImmediate, mocked) and the start stamp (process.nextTick) run. */
async function launch(): Promise<void> {
  mock.timers.tick(0);
  await new Promise<void>((r) => process.nextTick(r));
}

describe('ConnectPool', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'setImmediate', 'setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('ConnectPool reports a SYN-ACK as open and tears it down with a RST', async () => {
    const h = harness();
    h.pool.submit(h.job(22));
    await launch();
    h.advance(3);
    h.sockets[0]!.emit('connect');
    assert.deepEqual(h.outcomes, [{ port: 22, outcome: 'open', rtt: 3 }]);
    assert.equal(h.sockets[0]!.reset, true);
    h.pool.close();
  });

  it('ConnectPool reports ECONNREFUSED as closed and EHOSTUNREACH as unreachable', async () => {
    const h = harness();
    h.pool.submit(h.job(135));
    h.pool.submit(h.job(139));
    await launch();
    h.sockets[0]!.fail('ECONNREFUSED');
    h.sockets[1]!.fail('EHOSTUNREACH');
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['closed', 'unreachable'],
    );
    assert.equal(h.sockets[0]!.reset, false);
    h.pool.close();
  });

  it('ConnectPool times out a silent attempt only after a second tick past the timeout', async () => {
    const h = harness({ timeoutMs: 100 });
    h.pool.submit(h.job(445));
    await launch();
    for (let t = 0; t < 100; t += 10) {
      h.advance(10);
      mock.timers.tick(10);
    }
    assert.equal(h.outcomes.length, 0, 'not before its timeout');
    h.advance(10);
    mock.timers.tick(10); // first tick past the deadline: suspect only
    assert.equal(h.outcomes.length, 0);
    h.advance(10);
    mock.timers.tick(10);
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['timeout'],
    );
    assert.equal(h.sockets[0]!.destroyed, true);
    h.pool.close();
  });

  it('ConnectPool does not call a port filtered when the loop stalled past its timeout', async () => {
    const h = harness({ timeoutMs: 100 });
    h.pool.submit(h.job(22));
    await launch();
    // The event loop was blocked for 500 ms: the answer sits unread in the kernel queue.
    h.advance(500);
    mock.timers.tick(10);
    assert.equal(h.outcomes.length, 0, 'a late tick must not judge yet');
    // The poll phase that follows delivers the SYN-ACK.
    h.sockets[0]!.emit('connect');
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['open'],
    );
    h.pool.close();
  });

  it('ConnectPool widens the timeout by the measured loop lag', async () => {
    const h = harness({ timeoutMs: 100 });
    h.pool.submit(h.job(22));
    await launch();
    h.advance(300); // one stalled tick: lag ≈ 290 ms
    mock.timers.tick(10);
    h.advance(5);
    mock.timers.tick(10); // elapsed 305 < 100 + lag: still waiting
    assert.equal(h.outcomes.length, 0);
    h.advance(400);
    mock.timers.tick(10);
    mock.timers.tick(10);
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['timeout'],
    );
    h.pool.close();
  });

  it('ConnectPool retries after EMFILE instead of reporting the port', async () => {
    const h = harness();
    h.pool.submit(h.job(22));
    await launch();
    h.sockets[0]!.fail('EMFILE');
    assert.equal(h.outcomes.length, 0);
    assert.equal(h.pool.stats.resourceBackoffs, 1);
    h.advance(20); // past the backoff pause
    mock.timers.tick(20);
    await launch();
    assert.equal(h.sockets.length, 2, 'the job was tried again on a new socket');
    h.sockets[1]!.emit('connect');
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['open'],
    );
    h.pool.close();
  });

  it('ConnectPool never has more than maxInFlight sockets connecting', async () => {
    const h = harness({ maxInFlight: 3 });
    for (let p = 1; p <= 10; p++) h.pool.submit(h.job(p));
    await launch();
    assert.equal(h.sockets.length, 3);
    assert.equal(h.pool.queued, 7);
    h.sockets[0]!.fail('ECONNREFUSED');
    await launch();
    assert.equal(h.sockets.length, 4);
    assert.equal(h.pool.inFlight, 3);
    h.pool.close();
  });

  it('ConnectPool puts retries ahead of fresh jobs', async () => {
    const h = harness({ maxInFlight: 1 });
    h.pool.submit(h.job(1));
    h.pool.submit(h.job(2));
    await launch();
    h.pool.submit(h.job(3), true);
    h.sockets[0]!.fail('ECONNREFUSED');
    await launch();
    assert.equal(h.sockets[1]!.connectedTo?.port, 3);
    h.pool.close();
  });

  it('ConnectPool close destroys sockets and settles everything as aborted', async () => {
    const h = harness({ maxInFlight: 1 });
    h.pool.submit(h.job(1));
    h.pool.submit(h.job(2));
    await launch();
    h.pool.close();
    await Promise.resolve();
    assert.equal(h.sockets[0]!.destroyed, true);
    assert.deepEqual(
      h.outcomes.map((o) => o.outcome),
      ['aborted', 'aborted'],
    );
  });
});

it('classifyConnectError never turns a resource error into a port state', () => {
  for (const code of ['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'EAGAIN'])
    assert.equal(classifyConnectError(code), 'resource');
  assert.equal(classifyConnectError('ECONNREFUSED'), 'closed');
  assert.equal(classifyConnectError('ENETUNREACH'), 'unreachable');
  assert.equal(classifyConnectError('ETIMEDOUT'), 'timeout');
});
