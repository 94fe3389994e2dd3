// handRunNowToAgent over a real store, with the agent's Scheduler (fake launcher) answering the
// request from inside the injected sleep — as the running agent would between two looks: it
// reports the scan the agent started, why it skipped the run, or that the request is still
// queued when nobody takes it. Nothing waits for real time.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../log/logger.js';
import { openStore, type Schedule, type Store } from '../store/index.js';
import { handRunNowToAgent } from './run-now.js';
import { Scheduler, type ScanLauncher, type StartedScan } from './scheduler.js';

type Ended = Awaited<StartedScan['finished']>;

describe('handRunNowToAgent', () => {
  let dir = '';
  let store: Store;
  let agentStore: Store;
  let clock = new Date('2025-01-10T12:00:00Z');
  let ends: ((e: Ended) => void)[] = [];
  let busy: string | null = null;
  let started = 0;
  const launcher: ScanLauncher = {
    start: () => {
      if (busy) return Promise.resolve({ busy });
      started++;
      return Promise.resolve({
        scanId: `scan-${started}`,
        finished: new Promise<Ended>((r) => ends.push(r)),
      });
    },
  };
  const nightly: Schedule = {
    id: 'nightly',
    name: 'Nightly',
    daily: '02:00',
    timezone: 'UTC',
    targets: ['198.18.0.1'],
    enabled: true,
  };
  /** The agent's scheduler, on its own connection to the same store. */
  const agent = () =>
    new Scheduler({
      store: agentStore.schedules,
      launcher,
      validate: (s) => s,
      log: createLogger({ write: () => undefined, enabled: () => false }),
      now: () => clock,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nopesight-run-now-'));
    const layout = { databaseFile: join(dir, 'scanner.db') };
    store = openStore(layout, () => clock);
    agentStore = openStore(layout, () => clock);
    store.schedules.add(nightly);
    ends = [];
    busy = null;
    started = 0;
  });
  afterEach(() => {
    store.close();
    agentStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reports the scan the running agent started for the request', async () => {
    const scheduler = agent();
    let looks = 0;
    const r = await handRunNowToAgent(store.schedules, 'nightly', {
      requestedBy: 'gui',
      now: () => clock,
      sleep: async () => {
        looks++;
        if (looks === 2) await scheduler.tick();
      },
    });
    assert.deepEqual(r, { outcome: 'started', scanId: 'scan-1' });
    assert.equal(looks, 2, 'it kept looking until the agent answered');
    assert.deepEqual(store.schedules.pendingRuns(), []);
  });

  test('says why the agent skipped it (another scan runs)', async () => {
    const scheduler = agent();
    busy = 'scan 1234 is running';
    const r = await handRunNowToAgent(store.schedules, 'nightly', {
      requestedBy: 'cli',
      now: () => clock,
      sleep: () => scheduler.tick().then(() => undefined),
    });
    assert.equal(r.outcome, 'skipped');
    assert.equal(r.outcome === 'skipped' && r.reason, 'busy');
    assert.match(r.outcome === 'skipped' ? r.detail : '', /scan 1234 is running/);
  });

  test('a run that ended before the next look still counts as started', async () => {
    const scheduler = agent();
    const r = await handRunNowToAgent(store.schedules, 'nightly', {
      requestedBy: 'gui',
      now: () => clock,
      sleep: async () => {
        await scheduler.tick();
        ends.shift()?.({ state: 'completed' });
        await scheduler.settled();
      },
    });
    assert.deepEqual(r, { outcome: 'started', scanId: 'scan-1' });
    assert.equal(store.schedules.runState('nightly')?.last?.outcome, 'finished');
  });

  test('the end of a run already going when it asked is not the answer', async () => {
    const scheduler = agent();
    // A first run-now, still going.
    store.schedules.requestRun('nightly', 'cli');
    await scheduler.tick();
    let looks = 0;
    const r = await handRunNowToAgent(store.schedules, 'nightly', {
      requestedBy: 'gui',
      now: () => clock,
      sleep: async () => {
        looks++;
        if (looks === 1) {
          // The old run ends (recorded after the request) before the agent's next look...
          ends.shift()?.({ state: 'completed' });
          await scheduler.settled();
        } else await scheduler.tick(); // ...then the agent takes the request.
      },
    });
    assert.deepEqual(r, { outcome: 'started', scanId: 'scan-2' });
  });

  test('stays queued when no agent takes the request before the deadline', async () => {
    let looks = 0;
    const r = await handRunNowToAgent(store.schedules, 'nightly', {
      requestedBy: 'gui',
      timeoutMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        looks++;
        clock = new Date(clock.getTime() + ms);
      },
    });
    assert.deepEqual(r, { outcome: 'queued' });
    assert.equal(looks, 5, 'one look every 200 ms of the 1 s wait');
    assert.deepEqual(
      store.schedules.pendingRuns().map((p) => [p.scheduleId, p.requestedBy]),
      [['nightly', 'gui']],
      'the request stays for the agent',
    );
  });

  test('an unknown schedule is refused before anything is stored', async () => {
    await assert.rejects(
      handRunNowToAgent(store.schedules, 'nope', { requestedBy: 'gui', sleep: async () => {} }),
      /no schedule nope/,
    );
    assert.deepEqual(store.schedules.pendingRuns(), []);
  });
});
