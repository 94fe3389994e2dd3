// Integrations: the platform this agent reports to (one per data directory), saved with a
// write-only API token, tested with the same check as `integration test`, or removed.
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { useBanner, useResource, useSubmit } from '../hooks.js';
import type { ConnectionTest, Integration } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Confirm } from '../ui/dialog.js';
import { Card } from '../ui/empty.js';
import { describedBy, Field } from '../ui/field.js';

const FIELDS = ['name', 'apiUrl', 'agentId', 'token', 'wsUrl'] as const;
type Form = Record<(typeof FIELDS)[number], string>;
const EMPTY: Form = { name: '', apiUrl: '', agentId: '', token: '', wsUrl: '' };

export function IntegrationsTab() {
  const res = useResource<{ integration: Integration | null }>('/integration');
  const banner = useBanner();
  const { errors, busy, run } = useSubmit();
  const [form, setForm] = useState<Form>(EMPTY);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [testing, setTesting] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [saved, setSaved] = useState(false);
  const current = res.data?.integration ?? null;

  useEffect(() => {
    if (!res.data) return;
    const i = res.data.integration;
    setForm(
      i
        ? { name: i.name, apiUrl: i.apiUrl, agentId: i.agentId, token: '', wsUrl: i.wsUrl ?? '' }
        : EMPTY,
    );
  }, [res.data]);

  if (!res.data) return <Loading error={res.error} />;
  const tokenStored = current?.secretsSet.includes('token') ?? false;

  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const body: Record<string, string> = {
      name: form.name.trim(),
      apiUrl: form.apiUrl.trim(),
      agentId: form.agentId.trim(),
    };
    if (form.token !== '') body.token = form.token;
    if (form.wsUrl.trim() !== '') body.wsUrl = form.wsUrl.trim();
    const r = await run(
      () => request<{ integration: Integration }>('PUT', '/integration', body),
      FIELDS,
    );
    if (r) {
      setSaved(true);
      setTest(null);
      await res.reload();
    }
  };

  const testConnection = async () => {
    setTesting(true);
    setTest(null);
    try {
      setTest(await request<ConnectionTest>('POST', '/integration/test', {}));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      setTest({ ok: false, error: { code: e.code ?? 'ERR', message: e.message ?? String(err) } });
    } finally {
      setTesting(false);
    }
  };

  const input = (k: keyof Form, props: Record<string, unknown> = {}) => (
    <input
      id={`int-${k}`}
      name={k}
      value={form[k]}
      onInput={(e) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value })}
      aria-invalid={errors[k] ? true : undefined}
      aria-describedby={describedBy(`int-${k}`, true, errors[k])}
      {...props}
    />
  );

  return (
    <div class="stack">
      <Card
        title={current ? `Platform: ${current.name}` : 'Connect to a NopeSight platform'}
        actions={
          current && (
            <Badge status={tokenStored ? 'success' : 'failed'}>
              {tokenStored ? 'token stored' : 'no token'}
            </Badge>
          )
        }
      >
        {!current && (
          <p class="lead" data-empty>
            No integration yet — enter the API URL, agent ID and discovery token from your
            platform's Discovery → Agents page. Scans are uploaded there and the platform can start
            scans and edit schedules remotely.
          </p>
        )}
        <form class="grid-form" onSubmit={save} data-form="integration" novalidate>
          <Field
            id="int-name"
            label="Name"
            hint="A label for this platform, e.g. prod-cmdb."
            error={errors.name}
          >
            {input('name', { required: true, autoComplete: 'off' })}
          </Field>
          <Field
            id="int-apiUrl"
            label="API URL"
            hint="https://host or https://host/api — the platform's address."
            error={errors.apiUrl}
          >
            {input('apiUrl', {
              required: true,
              type: 'url',
              placeholder: 'https://cmdb.example.com',
              class: 'mono',
            })}
          </Field>
          <Field
            id="int-agentId"
            label="Agent ID"
            hint="The ID the platform registered this agent under."
            error={errors.agentId}
          >
            {input('agentId', { required: true, class: 'mono', autoComplete: 'off' })}
          </Field>
          <Field
            id="int-token"
            label={
              <>
                API token{' '}
                {tokenStored && (
                  <span class="stored" data-stored="token">
                    stored
                  </span>
                )}
              </>
            }
            hint={
              tokenStored
                ? 'Write-only: leave blank to keep the stored token, or type a new one to replace it.'
                : 'The discovery token; kept encrypted in the vault and never shown again.'
            }
            error={errors.token}
          >
            {input('token', {
              type: 'password',
              autoComplete: 'new-password',
              placeholder: tokenStored ? '•••••••• (stored)' : '',
              required: !tokenStored,
            })}
          </Field>
          <Field
            id="int-wsUrl"
            label="WebSocket URL (optional)"
            hint="Only when the control channel is not at the API URL's /api/discovery/agents/ws."
            error={errors.wsUrl}
            wide
          >
            {input('wsUrl', {
              placeholder: 'wss://cmdb.example.com/api/discovery/agents/ws',
              class: 'mono',
            })}
          </Field>
          <div class="actions wide">
            {current && (
              <button
                type="button"
                class="danger ghost"
                onClick={() => setConfirm(true)}
                data-action="remove"
              >
                Remove
              </button>
            )}
            <span class="spacer" />
            {saved && (
              <span class="ok-note" role="status">
                Saved.
              </span>
            )}
            {current && (
              <button type="button" onClick={testConnection} disabled={testing} data-action="test">
                {testing ? 'Testing…' : 'Test Connection'}
              </button>
            )}
            <button type="submit" class="primary" disabled={busy}>
              {current ? 'Save' : 'Add Integration'}
            </button>
          </div>
        </form>
        {test && (
          <div
            class={`result ${test.ok ? 'ok' : 'fail'}`}
            role="status"
            data-test-result={test.ok ? 'ok' : 'fail'}
          >
            {test.ok ? (
              <>
                <Badge status="success">connected</Badge> The platform answered
                {test.latencyMs !== undefined ? ` in ${test.latencyMs} ms` : ''} and knows this
                agent.
              </>
            ) : (
              <>
                <Badge status="failed">failed</Badge> {test.error?.message}{' '}
                <code>{test.error?.code}</code>
              </>
            )}
          </div>
        )}
      </Card>
      {confirm && current && (
        <Confirm
          title="Remove the integration?"
          message={
            <>
              The agent stops uploading to <strong>{current.name}</strong> and forgets its token.
              Scans already queued stay in the outbox.
            </>
          }
          action="Remove"
          onClose={() => setConfirm(false)}
          onConfirm={async () => {
            try {
              await request('DELETE', '/integration');
              setTest(null);
              setSaved(false);
              await res.reload();
            } catch (err) {
              banner.show((err as Error).message);
            }
          }}
        />
      )}
    </div>
  );
}
