// Tests the Scheduler over a real store with an injected clock and a fake launcher: a due slot
// runs once; a run still going, another scan, a blackout or an invalid schedule skip the slot
// (logged, not stacked); runs missed while the agent was down run once; the loop sleeps until the
// next slot and stops on abort. Nothing waits for real time.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogFields } from '../log/logger.js';
import { openStore, type Schedule, type Store } from '../store/index.js';
import { Scheduler, type ScanLauncher, type StartedScan } from './scheduler.js';
import { staggerOffsetMs } from './timing.js';

type Ended = Awaited<StartedScan['finished']>;

/** A launcher whose scans end when the test says; `busy` makes it refuse like RemoteScans. */
class FakeLauncher implements ScanLauncher {
  started: Schedule[] = [];
  busy: string | null = null;
  readonly #ends: ((e: Ended) => void)[] = [];

  start(schedule: Schedule): Promise<StartedScan | { busy: string }> {
    if (this.busy) return Promise.resolve({ busy: this.busy });
    this.started.push(schedule);
    const finished = new Promise<Ended>((r) => this.#ends.push(r));
    return Promise.resolve({ scanId: `scan-${this.started.length}`, finished });
  }

  /** Ends the oldest running scan. */
  end(state: Ended['state'] = 'completed'): void {
    this.#ends.shift()?.({ state });
  }
}

describe('Scheduler', () => {
  let dir = '';
  let store: Store;
  let clock = new Date('2025-01-10T00:00:00Z');
  let launcher: FakeLauncher;
  let lines: ({ level: string; msg: string } & LogFields)[];
  const setClock = (iso: string) => (clock = new Date(iso));
  const schedule = (over: Partial<Schedule> = {}): Schedule => ({
    id: 'nightly',
    name: 'Nightly',
    daily: '02:00',
    timezone: 'UTC',
    targets: ['198.18.0.1'],
    enabled: true,
    ...over,
  });
  const scheduler = (validate: (s: Schedule) => Schedule = (s) => s) =>
    new Scheduler({
      store: store.schedules,
      launcher,
      validate,
      log: createLogger({
        write: (level, msg, fields) => lines.push({ level, msg, ...fields }),
        enabled: () => true,
      }),
      now: () => clock,
    });
  const logged = (msg: string) => lines.filter((l) => l.msg.startsWith(msg));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nopesight-scheduler-'));
    setClock('2025-01-10T00:00:00Z');
    store = openStore({ databaseFile: join(dir, 'scanner.db') }, () => clock);
    launcher = new FakeLauncher();
    lines = [];
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a due slot starts once and its end is logged with the state', async () => {
    store.schedules.add(schedule());
    const s = scheduler();
    setClock('2025-01-10T01:59:59Z');
    assert.deepEqual(await s.tick(), []);
    assert.equal(s.nextDue()?.toISOString(), '2025-01-10T02:00:00.000Z');

    setClock('2025-01-10T02:00:01Z');
    const [outcome] = await s.tick();
    assert.equal(outcome?.outcome, 'started');
    assert.equal(outcome?.missed, false);
    assert.equal(outcome?.slot.toISOString(), '2025-01-10T02:00:00.000Z');
    assert.deepEqual(await s.tick(), [], 'a slot is handled once');
    assert.equal(launcher.started.length, 1);
    assert.equal(logged('schedule run started')[0]?.scanId, 'scan-1');

    launcher.end('completed');
    await s.settled();
    const finished = logged('schedule run finished')[0];
    assert.equal(finished?.state, 'completed');
    assert.equal(finished?.scheduleId, 'nightly');
    assert.equal(store.schedules.runState('nightly')?.last?.state, 'completed');
    assert.equal(s.nextDue()?.toISOString(), '2025-01-11T02:00:00.000Z');
  });

  test('a run still going when the next slot comes is skipped and logged, not stacked', async () => {
    store.schedules.add(schedule({ daily: undefined, everyHours: 1 }));
    const s = scheduler();
    setClock('2025-01-10T01:00:00Z');
    assert.equal((await s.tick())[0]?.outcome, 'started');
    setClock('2025-01-10T02:00:00Z');
    const [skipped] = await s.tick();
    assert.equal(skipped?.outcome, 'skipped');
    assert.equal(skipped?.reason, 'still-running');
    assert.equal(launcher.started.length, 1);
    assert.equal(logged('schedule run skipped')[0]?.reason, 'still-running');

    launcher.end();
    await s.settled();
    setClock('2025-01-10T03:00:00Z');
    assert.equal((await s.tick())[0]?.outcome, 'started');
    assert.equal(launcher.started.length, 2);
  });

  test('a slot that comes while another scan runs is skipped as busy', async () => {
    store.schedules.add(schedule());
    launcher.busy = 'scan 1234 is running; cancel it or wait';
    const s = scheduler();
    setClock('2025-01-10T02:00:00Z');
    const [outcome] = await s.tick();
    assert.equal(outcome?.reason, 'busy');
    assert.match(String(logged('schedule run skipped')[0]?.detail), /scan 1234 is running/);
    assert.match(String(store.schedules.runState('nightly')?.last?.detail), /^busy: /);
    assert.deepEqual(await s.tick(), [], 'skipped, not retried');
  });

  test('a slot inside a blackout window is skipped and logged', async () => {
    store.schedules.add(
      schedule({
        daily: undefined,
        everyHours: 1,
        timezone: 'Europe/Berlin',
        blackouts: ['02:00-04:00'],
      }),
    );
    const s = scheduler();
    setClock('2025-01-10T01:00:00Z'); // 02:00 in Berlin
    const [outcome] = await s.tick();
    assert.equal(outcome?.reason, 'blackout');
    assert.match(
      String(logged('schedule run skipped')[0]?.detail),
      /02:00-04:00 \(Europe\/Berlin\)/,
    );
    setClock('2025-01-10T03:00:00Z'); // 04:00 in Berlin: the window has ended
    assert.equal((await s.tick())[0]?.outcome, 'started');
  });

  test('runs missed while the agent was down run once on start', async () => {
    store.schedules.add(schedule());
    // The agent stops before the first slot and starts again three slots later.
    setClock('2025-01-13T09:00:00Z');
    const s = scheduler();
    const outcomes = await s.tick();
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]?.outcome, 'started');
    assert.equal(outcomes[0]?.missed, true);
    assert.equal(outcomes[0]?.slot.toISOString(), '2025-01-13T02:00:00.000Z');
    const started = logged('schedule run started')[0];
    assert.match(String(started?.msg), /missed while the agent was down/);
    assert.equal(started?.missedSince, '2025-01-10T02:00:00.000Z');
    assert.deepEqual(await s.tick(), []);
    assert.equal(launcher.started.length, 1);
    assert.equal(s.nextDue()?.toISOString(), '2025-01-14T02:00:00.000Z');
  });

  test('disabled schedules do not run; enabling counts from then, making up nothing', async () => {
    store.schedules.add(schedule({ enabled: false }));
    const s = scheduler();
    setClock('2025-01-12T09:00:00Z');
    assert.deepEqual(await s.tick(), []);
    store.schedules.setEnabled('nightly', true);
    assert.deepEqual(await s.tick(), [], 'the slots before enabling are not missed runs');
    assert.equal(s.nextDue()?.toISOString(), '2025-01-13T02:00:00.000Z');
  });

  test('a schedule that no longer validates is skipped as invalid', async () => {
    store.schedules.add(schedule());
    const s = scheduler(() => {
      throw new Error('ports: unknown profile');
    });
    setClock('2025-01-10T02:00:00Z');
    assert.equal((await s.tick())[0]?.reason, 'invalid');
    assert.equal(launcher.started.length, 0);
    assert.match(String(logged('schedule run skipped')[0]?.detail), /unknown profile/);
  });

  test('a staggered schedule starts at its slot plus its fixed offset', async () => {
    const staggered = schedule({ id: 'stag', staggerSeconds: 900 });
    store.schedules.add(staggered);
    const offset = staggerOffsetMs(staggered);
    assert.ok(offset > 0, 'this id gets a non-zero offset');
    const s = scheduler();
    assert.equal(s.nextDue()?.getTime(), Date.parse('2025-01-10T02:00:00Z') + offset);
    setClock(new Date(Date.parse('2025-01-10T02:00:00Z') + offset - 1000).toISOString());
    assert.deepEqual(await s.tick(), []);
    setClock(new Date(Date.parse('2025-01-10T02:00:00Z') + offset).toISOString());
    assert.equal((await s.tick())[0]?.outcome, 'started');
  });

  test('run sleeps until the next slot (at most maxSleepMs) and stops when aborted', async () => {
    store.schedules.add(schedule({ daily: undefined, everyHours: 1 }));
    const controller = new AbortController();
    const sleeps: number[] = [];
    const s = new Scheduler({
      store: store.schedules,
      launcher,
      validate: (x) => x,
      log: createLogger({ write: () => undefined, enabled: () => false }),
      now: () => clock,
      maxSleepMs: 30 * 60_000,
      // A sleep that moves the clock instead of waiting; the fourth one stops the loop.
      sleep: async (ms) => {
        sleeps.push(ms);
        clock = new Date(clock.getTime() + ms);
        if (launcher.started.length > 0) launcher.end();
        if (sleeps.length === 4) controller.abort();
      },
    });
    setClock('2025-01-10T00:10:00Z');
    await s.run(controller.signal);
    // 50 min to 01:00 are more than the 30 min cap: 30, then 20, then it runs at 01:00.
    assert.deepEqual(sleeps.slice(0, 3), [30 * 60_000, 20 * 60_000, 30 * 60_000]);
    assert.equal(launcher.started.length, 1);
  });
  test('a run-now request runs once, disabled or in a blackout, and leaves the slots alone', async () => {
    store.schedules.add(schedule({ enabled: false, timezone: 'UTC', blackouts: ['00:00-23:59'] }));
    const s = scheduler();
    setClock('2025-01-10T05:00:00Z');
    assert.equal(store.schedules.requestRun('nightly', 'cli'), true);
    const [outcome] = await s.tick();
    assert.equal(outcome?.outcome, 'started');
    assert.equal(outcome?.trigger, 'run-now');
    assert.equal(launcher.started.length, 1);
    assert.deepEqual(await s.tick(), [], 'a request runs once');
    const started = logged('schedule run started')[0];
    assert.equal(started?.trigger, 'run-now');
    assert.equal(started?.requestedBy, 'cli');
    assert.equal(store.schedules.runState('nightly')?.last?.outcome, 'started');

    // A second request while the first run goes is skipped, not stacked.
    store.schedules.requestRun('nightly', 'gui');
    assert.equal((await s.tick())[0]?.reason, 'still-running');
    launcher.end('completed');
    await s.settled();
    const last = store.schedules.runState('nightly')?.last;
    assert.equal(last?.state, 'completed');
    assert.equal(last?.detail, 'run-now');
    assert.equal(s.nextDue(), null, 'still disabled: no slot');
  });

  test('a run-now request while another scan runs is skipped as busy; one for a gone schedule is dropped', async () => {
    store.schedules.add(schedule());
    const s = scheduler();
    launcher.busy = 'scan 99 started by platform is running; cancel it or wait';
    store.schedules.requestRun('nightly', 'gui');
    const [outcome] = await s.tick();
    assert.equal(outcome?.reason, 'busy');
    assert.match(String(store.schedules.runState('nightly')?.last?.detail), /^run-now busy: /);
    launcher.busy = null;
    store.schedules.requestRun('nightly', 'cli');
    store.schedules.remove('nightly');
    assert.deepEqual(await s.tick(), []);
    assert.equal(launcher.started.length, 0);
  });

  test('run wakes within watchMs when another connection adds a run-now request', async () => {
    store.schedules.add(schedule());
    // The other process: its own connection to the same file.
    const other = openStore({ databaseFile: join(dir, 'scanner.db') });
    const controller = new AbortController();
    const s = new Scheduler({
      store: store.schedules,
      launcher,
      validate: (x) => x,
      log: createLogger({ write: () => undefined, enabled: () => false }),
      now: () => clock,
      // Without the watch, the loop would look again only after an hour.
      maxSleepMs: 3_600_000,
      watchMs: 250,
    });
    const running = s.run(controller.signal);
    try {
      other.schedules.requestRun('nightly', 'cli');
      // Polls every 20 ms; the bound only ends a broken run.
      for (let i = 0; i < 1500 && launcher.started.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(launcher.started.length, 1, 'the request was never run');
    } finally {
      controller.abort();
      launcher.end();
      await running;
      other.close();
    }
  });
});
