// Scheduler: the agent's scan schedules with their next and last runs; add, edit, enable or
// disable, run now, delete. Validated on the server by the same readSchedule as the CLI.
import { useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { useBanner, useLive, useResource } from '../hooks.js';
import { dateTime, relative, timingWords } from '../format.js';
import type { ScheduleView } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Confirm } from '../ui/dialog.js';
import { Card, Empty } from '../ui/empty.js';
import { ScheduleDialog } from './schedule-form.js';

type Modal =
  | { type: 'edit'; schedule: ScheduleView | null }
  | { type: 'delete'; schedule: ScheduleView }
  | null;

export function SchedulerTab() {
  const res = useResource<{ schedules: ScheduleView[] }>('/schedules');
  const banner = useBanner();
  const [modal, setModal] = useState<Modal>(null);
  useLive<{ schedules?: ScheduleView[] } | ScheduleView[]>('schedules', () => void res.reload());
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
      <Card title="Schedules" actions={list.length > 0 && add}>
        {!res.data ? (
          res.error ? (
            <p class="error">{res.error.message}</p>
          ) : (
            <Loading />
          )
        ) : list.length === 0 ? (
          <Empty title="No schedules yet — scan your networks daily, weekly or every few hours">
            <p>
              Schedules run while the agent service (or <code>nopesight-scanner daemon</code>) runs;
              results are uploaded to the platform like any scan.
            </p>
            {add}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data" data-table="schedules">
              <thead>
                <tr>
                  <th scope="col">Enabled</th>
                  <th scope="col">Name</th>
                  <th scope="col">When</th>
                  <th scope="col">Time zone</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Targets</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr
                    key={s.name}
                    data-schedule={s.name}
                    class={s.enabled ? undefined : 'disabled'}
                  >
                    <td>
                      <label class="switch">
                        <input
                          type="checkbox"
                          role="switch"
                          checked={s.enabled}
                          aria-label={`${s.enabled ? 'Disable' : 'Enable'} ${s.name}`}
                          data-action="toggle"
                          onChange={() =>
                            act(() =>
                              request('POST', path(s, s.enabled ? '/disable' : '/enable'), {}),
                            )
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
                          {dateTime(s.nextRunAt)}
                          <div class="muted small">{relative(s.nextRunAt)}</div>
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
                        onClick={() =>
                          act(
                            () => request('POST', path(s, '/run-now'), {}),
                            `Schedule ${s.name} started.`,
                          )
                        }
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
              </tbody>
            </table>
          </div>
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
