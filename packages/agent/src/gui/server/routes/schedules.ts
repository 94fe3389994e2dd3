// /api/schedules: the scan schedules in the store, checked by the same readSchedule as
// `schedule add` and the platform's schedules.put. A schedule is named by its name or its id.
// run-now hands the run to the running agent (daemon, service, `agent run`) when one runs, as
// `schedule run-now` does, and otherwise runs the schedule's scan in this process.
import { randomUUID } from 'node:crypto';
import { readAgentState } from '../../../platform/agent-runtime.js';
import { readSchedule } from '../../../platform/scan-spec.js';
import { handRunNowToAgent, type HandOffOutcome } from '../../../scheduler/run-now.js';
import { describeTiming, nextRun } from '../../../scheduler/timing.js';
import type { Schedule } from '../../../store/index.js';
import type { GuiContext, Route } from '../context.js';
import { ApiError, badRequest, fieldNamedIn, notFound } from '../http.js';

const SCHEDULE_FIELDS = [
  'id',
  'name',
  'cron',
  'daily',
  'weekly',
  'everyHours',
  'timezone',
  'blackouts',
  'staggerSeconds',
  'targets',
  'excludes',
  'protocols',
  'ports',
  'enabled',
] as const;

function fieldOf(message: string): string | undefined {
  if (/^timing:/.test(message)) return 'timing';
  return fieldNamedIn(message, SCHEDULE_FIELDS);
}

/** A schedule as the Scheduler tab lists it: its fields, timing in words, next and last run. */
export function scheduleViews(ctx: GuiContext, now = new Date()) {
  return ctx.store.schedules.list().map((s) => {
    const state = ctx.store.schedules.runState(s.id);
    const after = state && state.handledUntil > now ? state.handledUntil : now;
    const next = s.enabled ? nextRun(s, after) : null;
    return {
      ...s,
      timing: describeTiming(s),
      nextRunAt: next?.toISOString() ?? null,
      lastRun: state?.last ?? null,
    };
  });
}

function find(ctx: GuiContext, key: string | undefined): Schedule {
  const all = ctx.store.schedules.list();
  const byId = all.find((s) => s.id === key);
  if (byId) return byId;
  const named = all.filter((s) => s.name === key);
  if (named.length === 1) return named[0]!;
  if (named.length === 0) throw notFound(`no schedule is named '${key ?? ''}'`);
  throw new ApiError(
    409,
    'ERR_CONFIG_INVALID',
    `${named.length} schedules are named '${key}': use the id (${named.map((s) => s.id).join(', ')})`,
  );
}

/** The body as a schedule (enabled by default), validated; `id` kept for a replace. */
function validate(ctx: GuiContext, body: Record<string, unknown>, id: string): Schedule {
  for (const key of Object.keys(body)) {
    if (!(SCHEDULE_FIELDS as readonly string[]).includes(key)) {
      throw badRequest(`unknown field '${key}'`, key);
    }
  }
  // Empty optional values from a form mean "not set".
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0 && k !== 'targets')) continue;
    raw[k] = v;
  }
  return readSchedule({ enabled: true, ...raw, id }, ctx.config);
}

function uniqueName(ctx: GuiContext, schedule: Schedule): void {
  if (ctx.store.schedules.list().some((s) => s.name === schedule.name && s.id !== schedule.id)) {
    throw badRequest(`a schedule is already named '${schedule.name}'`, 'name');
  }
}

function changed(ctx: GuiContext, what: string, s: Schedule): void {
  ctx.log.info(what, { scheduleId: s.id, name: s.name });
  ctx.schedulesChanged();
}

function viewOf(ctx: GuiContext, id: string) {
  return scheduleViews(ctx).find((v) => v.id === id) ?? null;
}

/** The running agent was asked to run `s`: its answer, or why it did not run it. */
async function handOff(ctx: GuiContext, s: Schedule, pid: number) {
  ctx.log.info('schedule run-now requested from the running agent', {
    scheduleId: s.id,
    name: s.name,
    agentPid: pid,
  });
  const r: HandOffOutcome = await handRunNowToAgent(ctx.store.schedules, s.id, {
    requestedBy: 'gui',
    signal: ctx.signal,
  });
  ctx.schedulesChanged();
  if (r.outcome === 'skipped') {
    const busy = r.reason === 'busy' || r.reason === 'still-running';
    throw new ApiError(
      409,
      busy ? 'ERR_SCAN_RUNNING' : 'ERR_CONFIG_INVALID',
      `the service (agent pid ${pid}) did not run ${s.name}: ${r.detail}`,
    );
  }
  return {
    status: 202,
    body: {
      scanId: r.outcome === 'started' ? r.scanId : null,
      ranIn: 'daemon' as const,
      agentPid: pid,
      ...(r.outcome === 'queued' ? { queued: true } : {}),
    },
  };
}

/** No agent runs: the schedule's scan runs in this process (its end is recorded by the
 * runner's onFinished, gui-server.ts). */
async function runHere(ctx: GuiContext, s: Schedule) {
  const runs = ctx.logs.logger('scheduler', {
    component: 'scheduler',
    scheduleId: s.id,
    schedule: s.name,
    trigger: 'run-now',
    source: 'gui',
  });
  const scanId = await ctx.scans.start(
    {
      targets: s.targets,
      excludes: s.excludes ?? [],
      ...(s.protocols !== undefined
        ? { protocols: s.protocols === 'none' ? 'none' : s.protocols.join(',') }
        : {}),
      ...(s.ports !== undefined ? { ports: s.ports } : {}),
      source: 'schedule',
      scheduleId: s.id,
      scheduleName: s.name,
    },
    ctx.signal,
  );
  runs.info('schedule run started', { scanId });
  ctx.store.schedules.arm(s);
  ctx.store.schedules.recordRun(s.id, {
    at: new Date().toISOString(),
    outcome: 'started',
    detail: 'run-now (GUI)',
    scanId,
  });
  ctx.schedulesChanged();
  return { status: 202, body: { scanId, ranIn: 'gui' as const } };
}

export const scheduleRoutes: Route[] = [
  {
    method: 'GET',
    path: '/schedules',
    async handle(ctx) {
      return { status: 200, body: { schedules: scheduleViews(ctx) } };
    },
  },
  {
    method: 'POST',
    path: '/schedules',
    fieldOf,
    async handle(ctx, r) {
      const body = await r.body();
      const given = typeof body.id === 'string' && body.id !== '' ? body.id : randomUUID();
      if (ctx.store.schedules.get(given)) throw badRequest(`id '${given}' is taken`, 'id');
      const schedule = validate(ctx, body, given);
      uniqueName(ctx, schedule);
      ctx.store.schedules.add(schedule);
      changed(ctx, 'schedule added', schedule);
      return { status: 201, body: { schedule: viewOf(ctx, schedule.id) } };
    },
  },
  {
    method: 'PUT',
    path: '/schedules/:name',
    fieldOf,
    async handle(ctx, r) {
      const current = find(ctx, r.params.name);
      const body = await r.body();
      if (body.id !== undefined && body.id !== current.id) {
        throw badRequest('id cannot change', 'id');
      }
      const schedule = validate(ctx, body, current.id);
      uniqueName(ctx, schedule);
      // One transaction keeps the order and the run state (replaceAll keeps rows whose id stays).
      ctx.store.schedules.replaceAll(
        ctx.store.schedules.list().map((s) => (s.id === current.id ? schedule : s)),
      );
      changed(ctx, 'schedule changed', schedule);
      return { status: 200, body: { schedule: viewOf(ctx, schedule.id) } };
    },
  },
  ...(['enable', 'disable'] as const).map((action): Route => ({
    method: 'POST',
    path: `/schedules/:name/${action}`,
    async handle(ctx, r) {
      const s = find(ctx, r.params.name);
      ctx.store.schedules.setEnabled(s.id, action === 'enable');
      changed(ctx, `schedule ${action}d`, s);
      return { status: 200, body: { schedule: viewOf(ctx, s.id) } };
    },
  })),
  {
    method: 'POST',
    path: '/schedules/:name/run-now',
    async handle(ctx, r) {
      const stored = find(ctx, r.params.name);
      const s = readSchedule({ ...stored }, ctx.config);
      const agent = await readAgentState(ctx.dir).catch(() => null);
      if (agent?.running) return handOff(ctx, s, agent.state.pid);
      return runHere(ctx, s);
    },
  },
  {
    method: 'DELETE',
    path: '/schedules/:name',
    async handle(ctx, r) {
      const s = find(ctx, r.params.name);
      ctx.store.schedules.remove(s.id);
      changed(ctx, 'schedule removed', s);
      return { status: 204 };
    },
  },
];
