// Service: the agent as a system service (systemd, launchd or WinSW): its status, install,
// uninstall, start and stop with confirmations, and a preview of the definition it would install.
import { useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { asApiError, useBanner, useResource } from '../hooks.js';
import type { ServiceView, Session } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Confirm } from '../ui/dialog.js';
import { Card } from '../ui/empty.js';

type Action = 'install' | 'uninstall' | 'start' | 'stop';
interface Preview {
  definition: string;
  path?: string;
  steps?: Partial<Record<Action, string[]>>;
}

const ACTION: Record<Action, { label: string; explain: string }> = {
  install: {
    label: 'Install',
    explain:
      'Writes the service definition shown in the preview and enables it, so the agent starts at boot.',
  },
  uninstall: {
    label: 'Uninstall',
    explain: 'Stops the service and removes its definition. The data directory stays.',
  },
  start: { label: 'Start', explain: 'Starts the agent service: schedules run, uploads resume.' },
  stop: {
    label: 'Stop',
    explain: 'Stops the agent service; a running scan is checkpointed first.',
  },
};

const MANAGER: Record<string, string> = {
  systemd: 'systemd',
  launchd: 'launchd',
  winsw: 'Windows service (WinSW)',
};

/** Why the buttons are off, and what to do instead, by the check that refused (docs/gui-guide.md). */
function CannotManage({ view, platform }: { view: ServiceView; platform: string }) {
  const admin = platform === 'win32' ? 'an elevated (administrator) prompt' : 'a terminal';
  const sudo = platform === 'win32' ? '' : 'sudo ';
  let advice;
  switch (view.reasonCode) {
    case 'ERR_ACCESS_DENIED':
      advice = (
        <>
          Installing, starting and stopping the service need administrator rights, which this GUI
          does not have. In {admin} run <code>{sudo}nopesight-scanner service install</code> (then{' '}
          <code>service start</code>), or start the GUI itself with those rights.
        </>
      );
      break;
    case 'ERR_NOT_SUPPORTED':
      advice = (
        <>
          This machine has no service manager the scanner can use, so these buttons stay off. Run{' '}
          <code>nopesight-scanner daemon</code> under whatever supervises processes here (a
          container&apos;s entry point, supervisord…); the header and the Status tab show it once it
          runs.
        </>
      );
      break;
    default:
      advice = (
        <>
          Manage the service from {admin} with <code>nopesight-scanner service</code>.
        </>
      );
  }
  return (
    <div class="result warn" role="note" data-cannot-manage={view.reasonCode ?? 'unknown'}>
      <p>{advice}</p>
      {view.reason && <p class="muted small">Why: {view.reason}</p>}
    </div>
  );
}

export function ServiceTab({ session }: { session: Session }) {
  const res = useResource<ServiceView>('/service');
  const banner = useBanner();
  const [confirm, setConfirm] = useState<Action | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<{ text: string; steps: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!res.data) return <Loading error={res.error} />;
  const s = res.data;
  const statusText = s.statusText ?? s.status ?? '';
  // An unknown running state (null) leaves both Start and Stop available.
  const can = (a: Action) =>
    s.canManage &&
    (a === 'install'
      ? !s.installed
      : a === 'uninstall'
        ? s.installed
        : a === 'start'
          ? s.installed && s.running !== true
          : s.installed && s.running !== false);
  const state = s.running
    ? 'running'
    : s.installed
      ? s.running === null
        ? 'installed'
        : 'installed, stopped'
      : 'not installed';

  const togglePreview = async () => {
    if (preview !== null) return setPreview(null);
    try {
      setPreview(await request<Preview>('GET', '/service/preview'));
    } catch (err) {
      banner.show(asApiError(err).message);
    }
  };

  return (
    <div class="stack">
      <Card
        title="Agent service"
        actions={
          <Badge status={s.running ? 'success' : s.installed ? 'stopped' : 'none'}>{state}</Badge>
        }
      >
        <dl class="kv" data-service>
          <div>
            <dt>Service manager</dt>
            <dd>{s.manager ? MANAGER[s.manager] : `none found on ${session.platform}`}</dd>
          </div>
          <div>
            <dt>Installed</dt>
            <dd>{s.installed ? 'yes' : 'no'}</dd>
          </div>
          <div>
            <dt>Running</dt>
            <dd>{s.running === null ? 'unknown' : s.running ? 'yes' : 'no'}</dd>
          </div>
          {s.unitPath && (
            <div>
              <dt>Definition</dt>
              <dd class="mono">{s.unitPath}</dd>
            </div>
          )}
          <div>
            <dt>Data directory</dt>
            <dd class="mono">{session.dataDir}</dd>
          </div>
        </dl>
        {statusText && s.running !== null && (
          <pre class="status-text" data-status-text>
            {statusText}
          </pre>
        )}
        {!s.canManage && <CannotManage view={s} platform={session.platform} />}
        <div class="actions">
          {(Object.keys(ACTION) as Action[]).map((a) => (
            <button
              key={a}
              type="button"
              class={
                a === 'uninstall' || a === 'stop'
                  ? 'danger ghost'
                  : a === 'install' || a === 'start'
                    ? 'primary'
                    : ''
              }
              disabled={!can(a)}
              data-action={a}
              onClick={() => setConfirm(a)}
            >
              {ACTION[a].label}
            </button>
          ))}
          <span class="spacer" />
          <button
            type="button"
            onClick={togglePreview}
            aria-expanded={preview !== null}
            data-action="preview"
          >
            {preview === null ? 'Preview definition' : 'Hide definition'}
          </button>
        </div>
        {error && (
          <div class="result fail" role="alert">
            {error}
          </div>
        )}
        {result && (
          <div class="result ok" role="status" data-service-result>
            {result.text}
            {result.steps.length > 0 && <pre class="steps">{result.steps.join('\n')}</pre>}
          </div>
        )}
      </Card>
      {preview !== null && (
        <Card
          title={
            <>
              Service definition {preview.path && <span class="mono subtle">{preview.path}</span>}
            </>
          }
        >
          <pre class="json" data-preview>
            {preview.definition}
          </pre>
          {preview.steps && (
            <div class="steps-grid">
              {(Object.keys(ACTION) as Action[]).map((a) =>
                preview.steps?.[a] ? (
                  <div key={a}>
                    <h4>{ACTION[a].label} runs</h4>
                    <pre class="steps">{preview.steps[a].join('\n')}</pre>
                  </div>
                ) : null,
              )}
            </div>
          )}
        </Card>
      )}
      {confirm && (
        <Confirm
          title={`${ACTION[confirm].label} the service?`}
          message={ACTION[confirm].explain}
          action={ACTION[confirm].label}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            setError(null);
            setResult(null);
            try {
              const r = await request<{ steps?: string[] } | undefined>(
                'POST',
                `/service/${confirm}`,
                {},
              );
              setResult({ text: `${ACTION[confirm].label}: done.`, steps: r?.steps ?? [] });
            } catch (err) {
              const e = asApiError(err);
              setError(`${ACTION[confirm].label} failed: ${e.message} (${e.code})`);
            }
            await res.reload();
          }}
        />
      )}
    </div>
  );
}
