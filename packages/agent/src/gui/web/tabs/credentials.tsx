// Credentials: the vault's entries without their secrets; add, edit, test against a host, delete.
import { useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { useBanner, useResource, useSubmit } from '../hooks.js';
import type { CredentialTest, CredentialView } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Confirm, Dialog } from '../ui/dialog.js';
import { Card, Empty } from '../ui/empty.js';
import { TextField } from '../ui/field.js';
import { DataTable } from '../ui/table.js';
import { duration } from '../format.js';
import { CredentialDialog, KIND_LABEL, secretLabel } from './credential-form.js';

type Modal =
  | { type: 'edit'; credential: CredentialView | null }
  | { type: 'test'; credential: CredentialView }
  | { type: 'delete'; credential: CredentialView }
  | null;

function account(c: CredentialView): string {
  if (c.kind === 'snmp') {
    return c.snmpVersion === '3'
      ? `v3 ${c.username ?? ''} (${c.securityLevel ?? ''}${c.authProtocol ? `, ${c.authProtocol}` : ''}${c.privProtocol ? `/${c.privProtocol}` : ''})`
      : `v${c.snmpVersion ?? '2c'} community`;
  }
  if (c.kind === 'windows') {
    return c.domain && c.domain !== '.' ? `${c.domain}\\${c.username ?? ''}` : (c.username ?? '');
  }
  return c.username ?? '';
}

export function CredentialsTab() {
  const res = useResource<{ credentials: CredentialView[] }>('/credentials');
  const banner = useBanner();
  const [modal, setModal] = useState<Modal>(null);
  const list = res.data?.credentials ?? [];
  const add = (
    <button
      type="button"
      class="primary"
      onClick={() => setModal({ type: 'edit', credential: null })}
      data-action="add-credential"
    >
      Add credential
    </button>
  );

  return (
    <div class="stack">
      <Card title="Credentials" actions={list.length > 0 && add}>
        {!res.data ? (
          <Loading error={res.error} />
        ) : list.length === 0 ? (
          <Empty title="No credentials yet — add one for SSH, Windows, SNMP or vCenter">
            <p>
              Without credentials a scan still finds hosts and their open ports; with them it
              collects inventory. Secrets are stored encrypted on this machine and never shown
              again.
            </p>
            {add}
          </Empty>
        ) : (
          <DataTable
            name="credentials"
            columns={['Name', 'Protocol', 'Account', 'Port', 'Scope', 'Secrets']}
            actions
          >
            {list.map((c) => (
              <tr key={c.name} data-credential={c.name}>
                <td class="strong">{c.name}</td>
                <td>
                  <span class="tag">{KIND_LABEL[c.kind] ?? c.kind}</span>
                </td>
                <td class="mono">
                  {account(c)}
                  {c.kind === 'ssh' && c.sudo && c.sudo !== 'none' && (
                    <span class="tag subtle">sudo {c.sudo}</span>
                  )}
                  {c.jump && <span class="tag subtle">via {c.jump.address}</span>}
                  {c.kind === 'windows' && c.remoteExec && (
                    <span
                      class="tag warn"
                      data-remote-exec
                      title="Remote execution allowed: scans create a temporary service on each target"
                    >
                      remote exec
                    </span>
                  )}
                </td>
                <td class="mono">{c.port ?? '—'}</td>
                <td class="mono scope">
                  {c.scope.length > 0 ? c.scope.join(', ') : <span class="muted">any host</span>}
                </td>
                <td>
                  {c.secretsSet.length > 0 ? (
                    c.secretsSet.map((k) => (
                      <span
                        class="tag secret"
                        key={k}
                        title="Stored in the vault; never sent to this page"
                      >
                        {secretLabel(k)} ✓
                      </span>
                    ))
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                <td class="row-actions">
                  <button
                    type="button"
                    onClick={() => setModal({ type: 'test', credential: c })}
                    data-action="test"
                  >
                    Test
                  </button>
                  <button
                    type="button"
                    onClick={() => setModal({ type: 'edit', credential: c })}
                    data-action="edit"
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    class="danger ghost"
                    onClick={() => setModal({ type: 'delete', credential: c })}
                    data-action="delete"
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
        <CredentialDialog
          credential={modal.credential}
          onClose={() => setModal(null)}
          onSaved={(c) => {
            setModal(null);
            banner.show(`Credential ${c.name} saved.`, 'info');
            void res.reload();
          }}
        />
      )}
      {modal?.type === 'test' && (
        <TestDialog credential={modal.credential} onClose={() => setModal(null)} />
      )}
      {modal?.type === 'delete' && (
        <Confirm
          title={`Delete credential ${modal.credential.name}?`}
          message="Its secrets are removed from the vault. Schedules and scans stop using it."
          action="Delete"
          onClose={() => setModal(null)}
          onConfirm={async () => {
            try {
              await request('DELETE', `/credentials/${encodeURIComponent(modal.credential.name)}`);
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

/** Tries the credential against one host, as `credentials test` does. */
function TestDialog({ credential, onClose }: { credential: CredentialView; onClose: () => void }) {
  const [target, setTarget] = useState(
    credential.scope.length === 1 && !/[/-]/.test(credential.scope[0]!) ? credential.scope[0]! : '',
  );
  const [result, setResult] = useState<CredentialTest | null>(null);
  const { errors, busy, run } = useSubmit();
  return (
    <Dialog title={`Test ${credential.name}`} onClose={onClose} name="test-credential">
      <form
        class="grid-form one"
        data-form="test-credential"
        onSubmit={async (e) => {
          e.preventDefault();
          setResult(null);
          const r = await run(
            () =>
              request<CredentialTest>(
                'POST',
                `/credentials/${encodeURIComponent(credential.name)}/test`,
                {
                  target: target.trim(),
                },
              ),
            ['target'],
          );
          if (r) setResult(r);
        }}
      >
        <TextField
          id="test-target"
          name="target"
          class="mono"
          label="Host"
          hint={`An address or host name to log in to over ${KIND_LABEL[credential.kind]}.`}
          error={errors.target}
          value={target}
          onValue={setTarget}
          required
          autoFocus
        />
        {busy && (
          <p class="muted" aria-busy="true">
            Trying…
          </p>
        )}
        {result && (
          <div
            class={`result ${result.ok ? 'ok' : 'fail'}`}
            role="status"
            data-test-result={result.status}
          >
            <Badge status={result.status} /> {result.message}{' '}
            <span class="muted">({duration(result.durationMs)})</span>
          </div>
        )}
        <div class="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Test
          </button>
        </div>
      </form>
    </Dialog>
  );
}
