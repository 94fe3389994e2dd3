// Scheduler: the agent's scan schedules with their next and last runs; add, edit, enable or
// disable, run now, delete. Validated on the server by the same readSchedule as the CLI. Run
// now goes to the agent service when one runs; otherwise the scan runs in this GUI and its
// progress shows here.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { href, useBanner, useLive, useResource } from '../hooks.js';
import { dateTime, relative, timingWords, zonedTime } from '../format.js';
import type { ScanProgress, ScheduleView, StatusView } from '../types.js';
import { daemonRunning } from './status-cards.js';
import { Badge } from '../ui/badge.js';
import { Confirm } from '../ui/dialog.js';
import { Card, Empty } from '../ui/empty.js';
import { DataTable } from '../ui/table.js';
import { ProgressPanel } from './scan.js';
import { ScheduleDialog } from './schedule-form.js';

/** POST /schedules/:name/run-now's answer (docs/gui.md). */
interface RunNowAnswer {
  scanId: string | null;
  ranIn: 'daemon' | 'gui';
  agentPid?: number;
  queued?: boolean;
}

/** A run-now running in this GUI (no service runs): followed live until it ends. */
interface LocalRun {
  name: string;
  scanId: string;
  progress: ScanProgress | null;
}

type Modal =
  | { type: 'edit'; schedule: ScheduleView | null }
  | { type: 'delete'; schedule: ScheduleView }
  | null;

export function SchedulerTab() {
  const res = useResource<{ schedules: ScheduleView[] }>('/schedules');
  const banner = useBanner();
  const [modal, setModal] = useState<Modal>(null);
  const [local, setLocal] = useState<LocalRun | null>(null);
  // Schedules run only in the agent service (or `daemon`): say so while none runs.
  const status = useResource<StatusView>('/status');
  const [agentUp, setAgentUp] = useState<boolean | null>(null);
  useEffect(() => {
    if (status.data) setAgentUp(daemonRunning(status.data));
  }, [status.data]);
  useLive<StatusView>('status', (d) => setAgentUp(daemonRunning(d)));
  // "in 5 min" stays true: re-rendered every 30 s (the times themselves come with each change).
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  // Ends seen, by scan id: a short scan's scan.finished can overtake the run-now answer.
  const ended = useRef(new Map<string, string>());
  useLive<{ schedules?: ScheduleView[] } | ScheduleView[]>('schedules', () => void res.reload());
  useLive<{ scanId: string; progress: ScanProgress }>('scan.progress', (d) =>
    setLocal((l) => (l && l.scanId === d.scanId ? { ...l, progress: d.progress } : l)),
  );
  useLive<{
    scanId: string;
    summary: { state: string } | null;
    error?: { code: string; message: string };
  }>('scan.finished', (d) => {
    const outcome = d.error
      ? `failed here: ${d.error.message} (${d.error.code})`
      : `finished here: ${d.summary?.state ?? 'done'}.`;
    ended.current.set(d.scanId, outcome);
    if (!local || local.scanId !== d.scanId) return;
    setLocal(null);
    banner.show(`${local.name} ${outcome}`, d.error ? 'error' : 'info');
    void res.reload();
  });
  const list = res.data?.schedules ?? [];
  const path = (s: ScheduleView, action = '') =>
    `/schedules/${encodeURIComponent(s.name)}${action}`;
  const act = async (fn: () => Promise<unknown>, done?: string) => {
    try {
      await fn();
      if (done) banner.show(done, 'info');
    } catch (err) {
      banner.show((err as Error).message);
    }
    await res.reload();
  };
  const runNow = (s: ScheduleView) =>
    act(async () => {
      const r = await request<RunNowAnswer>('POST', path(s, '/run-now'), {});
      if (r.ranIn === 'gui' && r.scanId) {
        // No service runs: the progress card above the table says so and follows the scan.
        const over = ended.current.get(r.scanId);
        if (over) banner.show(`${s.name} ${over}`, 'info');
        else setLocal({ name: s.name, scanId: r.scanId, progress: null });
      } else if (r.queued) {
        banner.show(
          `${s.name} was handed to the service (agent pid ${r.agentPid ?? '?'}), which has not started it yet; Last run shows it once it does.`,
          'info',
        );
      } else {
        banner.show(
          `Started by the service (agent pid ${r.agentPid ?? '?'}) as scan ${r.scanId ?? '?'}; follow it under Status → Scan history.`,
          'info',
        );
      }
    });
  const add = (
    <button
      type="button"
      class="primary"
      onClick={() => setModal({ type: 'edit', schedule: null })}
      data-action="add-schedule"
    >
      Add schedule
    </button>
  );

  return (
    <div class="stack">
      {local && (
        <ProgressPanel
          scanId={local.scanId}
          progress={local.progress}
          warnings={[]}
          title={
            <>
              Running {local.name} locally <span class="mono subtle">{local.scanId}</span>
            </>
          }
        >
          <p class="muted small" data-local-run={local.scanId}>
            No agent service runs, so this GUI runs the scan; closing the GUI cancels it.{' '}
            <a href={href('scan', local.scanId)}>Open it in the Scan tab</a> ·{' '}
            <button
              type="button"
              class="link"
              data-action="cancel-local-run"
              onClick={() =>
                act(() => request('POST', `/scans/${encodeURIComponent(local.scanId)}/cancel`, {}))
              }
            >
              Cancel
            </button>
          </p>
        </ProgressPanel>
      )}
      <Card title="Schedules" actions={list.length > 0 && add}>
        {agentUp === false && list.some((s) => s.enabled) && (
          <div class="result warn lead" role="note" data-no-agent>
            No agent service runs on this data directory, so schedules do not run at their times
            (Run now still works: it runs here). Start the service on the{' '}
            <a href={href('service')}>Service</a> tab, or run <code>nopesight-scanner daemon</code>.
          </div>
        )}
        {!res.data ? (
          <Loading error={res.error} />
        ) : list.length === 0 ? (
          <Empty title="No schedules yet — scan your networks daily, weekly or every few hours">
            <p>
              Schedules run while the agent service (or <code>nopesight-scanner daemon</code>) runs;
              results are uploaded to the platform like any scan.
            </p>
            {add}
          </Empty>
        ) : (
          <DataTable
            name="schedules"
            columns={['Enabled', 'Name', 'When', 'Time zone', 'Next run', 'Last run', 'Targets']}
            actions
          >
            {list.map((s) => (
              <tr key={s.name} data-schedule={s.name} class={s.enabled ? undefined : 'disabled'}>
                <td>
                  <label class="switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={s.enabled}
                      aria-label={`${s.enabled ? 'Disable' : 'Enable'} ${s.name}`}
                      data-action="toggle"
                      onChange={() =>
                        act(() => request('POST', path(s, s.enabled ? '/disable' : '/enable'), {}))
                      }
                    />
                    <span aria-hidden="true" />
                  </label>
                </td>
                <td class="strong">{s.name}</td>
                <td data-cell="timing">
                  {timingWords(s)}
                  {s.blackouts && s.blackouts.length > 0 && (
                    <div class="muted small">not during {s.blackouts.join(', ')}</div>
                  )}
                  {s.staggerSeconds ? (
                    <div class="muted small">stagger up to {s.staggerSeconds} s</div>
                  ) : null}
                </td>
                <td>{s.timezone || <span class="muted">agent's</span>}</td>
                <td data-cell="next">
                  {s.enabled && s.nextRunAt ? (
                    <>
                      <time dateTime={s.nextRunAt} title={dateTime(s.nextRunAt)}>
                        {zonedTime(s.nextRunAt, s.timezone)}
                      </time>
                      <div class="muted small">
                        {relative(s.nextRunAt, now)}
                        {s.timezone ? ` · ${dateTime(s.nextRunAt)} here` : ''}
                      </div>
                    </>
                  ) : (
                    <span class="muted">{s.enabled ? 'none' : 'disabled'}</span>
                  )}
                </td>
                <td data-cell="last">
                  {s.lastRun ? (
                    <>
                      <Badge status={s.lastRun.state ?? s.lastRun.outcome}>
                        {s.lastRun.outcome === 'finished'
                          ? (s.lastRun.state ?? 'finished')
                          : s.lastRun.outcome}
                      </Badge>
                      <div class="muted small">
                        {dateTime(s.lastRun.at)}
                        {s.lastRun.detail ? ` · ${s.lastRun.detail}` : ''}
                      </div>
                    </>
                  ) : (
                    <span class="muted">never</span>
                  )}
                </td>
                <td class="mono scope">{s.targets.join(', ')}</td>
                <td class="row-actions">
                  <button
                    type="button"
                    data-action="run-now"
                    disabled={local !== null}
                    title={local ? `${local.name} is running in this GUI` : undefined}
                    onClick={() => runNow(s)}
                  >
                    Run now
                  </button>
                  <button
                    type="button"
                    data-action="edit"
                    onClick={() => setModal({ type: 'edit', schedule: s })}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    class="danger ghost"
                    data-action="delete"
                    onClick={() => setModal({ type: 'delete', schedule: s })}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      {modal?.type === 'edit' && (
        <ScheduleDialog
          schedule={modal.schedule}
          onClose={() => setModal(null)}
          onSaved={() => {
            setModal(null);
            void res.reload();
          }}
        />
      )}
      {modal?.type === 'delete' && (
        <Confirm
          title={`Delete schedule ${modal.schedule.name}?`}
          message="It stops running; scans it already made stay in the history."
          action="Delete"
          onClose={() => setModal(null)}
          onConfirm={() => act(() => request('DELETE', path(modal.schedule)))}
        />
      )}
    </div>
  );
}
