// The add/edit credential dialog: a protocol dropdown, then the fields that protocol needs.
// Secrets are write-only: on edit a blank secret keeps the stored one.
import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { useSubmit } from '../hooks.js';
import { splitList } from '../format.js';
import type { CredentialKind, CredentialView as BaseView } from '../types.js';
import { Dialog } from '../ui/dialog.js';
import { describedBy, Field } from '../ui/field.js';

/** The API's view with a windows credential's WinRM settings (routes/credentials.ts). */
type CredentialView = BaseView & {
  winrmAuth?: 'ntlm' | 'basic';
  winrmCa?: string;
  winrmCertFingerprints?: string[];
};

export const KIND_LABEL: Record<CredentialKind, string> = {
  windows: 'WMI / Windows',
  ssh: 'SSH',
  snmp: 'SNMP',
  vcenter: 'vCenter',
};

const SECRET_LABEL: Record<string, string> = {
  password: 'Password',
  privateKey: 'Private key',
  passphrase: 'Key passphrase',
  community: 'Community',
  authPassword: 'Auth password',
  privPassword: 'Privacy password',
  sudoPassword: 'sudo password',
};
export const secretLabel = (k: string) => SECRET_LABEL[k] ?? k;

const AUTH = ['sha', 'sha256', 'sha384', 'sha512', 'sha224', 'md5'];
const PRIV = ['aes', 'aes192', 'aes256', 'des'];
const FIELDS = [
  'name',
  'kind',
  'username',
  'domain',
  'port',
  'snmpVersion',
  'securityLevel',
  'authProtocol',
  'privProtocol',
  'sudo',
  'scope',
  'remoteExec',
  'winrmAuth',
  'winrmCa',
  'winrmCertFingerprints',
  'password',
  'privateKey',
  'passphrase',
  'community',
  'authPassword',
  'privPassword',
  'sudoPassword',
  'secrets',
  'clearSecrets',
  'secrets.password',
  'secrets.privateKey',
  'secrets.passphrase',
  'secrets.community',
  'secrets.authPassword',
  'secrets.privPassword',
  'secrets.sudoPassword',
];

interface State {
  kind: CredentialKind;
  name: string;
  username: string;
  domain: string;
  port: string;
  snmpVersion: '1' | '2c' | '3';
  securityLevel: string;
  authProtocol: string;
  privProtocol: string;
  sudo: string;
  scope: string;
  /** windows: allow remote execution (a temporary service on the target). */
  remoteExec: boolean;
  /** windows: WinRM authentication; Basic is only sent over HTTPS (5986). */
  winrmAuth: 'ntlm' | 'basic';
  /** windows: PEM CA bundle for WinRM HTTPS certificates (pasted). */
  winrmCa: string;
  /** windows: pinned SHA-256 fingerprints, one per line. */
  winrmCertFingerprints: string;
  sshAuth: 'password' | 'key';
  secrets: Record<string, string>;
}

function initial(c: CredentialView | null): State {
  return {
    kind: c?.kind ?? 'ssh',
    name: c?.name ?? '',
    username: c?.username ?? '',
    domain: c?.domain ?? '',
    port: c?.port !== undefined ? String(c.port) : '',
    snmpVersion: c?.snmpVersion ?? '2c',
    securityLevel: c?.securityLevel ?? 'authPriv',
    authProtocol: c?.authProtocol ?? 'sha256',
    privProtocol: c?.privProtocol ?? 'aes',
    sudo: c?.sudo ?? 'none',
    scope: (c?.scope ?? []).join('\n'),
    remoteExec: c?.remoteExec === true,
    winrmAuth: c?.winrmAuth ?? 'ntlm',
    winrmCa: c?.winrmCa ?? '',
    winrmCertFingerprints: (c?.winrmCertFingerprints ?? []).join('\n'),
    sshAuth: c?.secretsSet.includes('privateKey') ? 'key' : 'password',
    secrets: {},
  };
}

const DEFAULT_PORT: Record<CredentialKind, string> = {
  windows: '',
  ssh: '22',
  snmp: '161',
  vcenter: '443',
};

/**
 * The request body for the API from the form (only the fields the kind uses). Editing an SSH
 * credential from password to key login (or back) clears the secret of the other way.
 */
function body(s: State, stored: ReadonlySet<string>): Record<string, unknown> {
  const b: Record<string, unknown> = {
    kind: s.kind,
    name: s.name.trim(),
    scope: splitList(s.scope),
  };
  const secrets: Record<string, string> = {};
  const secret = (k: string) => {
    const v = s.secrets[k];
    if (v !== undefined && v !== '') secrets[k] = v;
  };
  const port = s.port.trim();
  if (port !== '' && s.kind !== 'windows') b.port = /^\d+$/.test(port) ? Number(port) : port;
  switch (s.kind) {
    case 'windows':
      b.username = s.username.trim();
      if (s.domain.trim() !== '') b.domain = s.domain.trim();
      b.remoteExec = s.remoteExec;
      b.winrmAuth = s.winrmAuth;
      // Empty clears them on an edit.
      b.winrmCa = s.winrmCa.trim() === '' ? '' : s.winrmCa;
      b.winrmCertFingerprints = splitList(s.winrmCertFingerprints);
      secret('password');
      break;
    case 'vcenter':
      b.username = s.username.trim();
      secret('password');
      break;
    case 'ssh':
      b.username = s.username.trim();
      b.sudo = s.sudo;
      if (s.sshAuth === 'password') secret('password');
      else {
        secret('privateKey');
        secret('passphrase');
      }
      if (s.sudo === 'password') secret('sudoPassword');
      break;
    case 'snmp':
      b.snmpVersion = s.snmpVersion;
      if (s.snmpVersion === '3') {
        b.username = s.username.trim();
        b.securityLevel = s.securityLevel;
        if (s.securityLevel !== 'noAuthNoPriv') {
          b.authProtocol = s.authProtocol;
          secret('authPassword');
        }
        if (s.securityLevel === 'authPriv') {
          b.privProtocol = s.privProtocol;
          secret('privPassword');
        }
      } else secret('community');
      break;
  }
  b.secrets = secrets;
  if (s.kind === 'ssh' && stored.size > 0) {
    const other = s.sshAuth === 'password' ? ['privateKey', 'passphrase'] : ['password'];
    const clear = other.filter((k) => stored.has(k));
    // Keep a stored password a key login may still use for sudo.
    if (
      clear.length > 0 &&
      !(s.sudo === 'password' && clear.includes('password') && !stored.has('sudoPassword'))
    )
      b.clearSecrets = clear;
  }
  return b;
}

export function CredentialDialog({
  credential,
  onClose,
  onSaved,
}: {
  credential: CredentialView | null;
  onClose: () => void;
  onSaved: (c: CredentialView) => void;
}) {
  const editing = credential !== null;
  const [s, setS] = useState<State>(() => initial(credential));
  const { errors, busy, run } = useSubmit();
  const set = (patch: Partial<State>) => setS({ ...s, ...patch });
  const stored = new Set(editing && credential.kind === s.kind ? credential.secretsSet : []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await run(
      () =>
        editing
          ? request<{ credential: CredentialView }>(
              'PUT',
              `/credentials/${encodeURIComponent(credential.name)}`,
              body(s, stored),
            )
          : request<{ credential: CredentialView }>('POST', '/credentials', body(s, stored)),
      FIELDS,
    );
    if (r) onSaved(r.credential);
  };

  const area = (
    k: 'winrmCa' | 'winrmCertFingerprints',
    label: string,
    hint: string,
    placeholder: string,
  ) => (
    <Field id={`cred-${k}`} label={label} hint={hint} error={errors[k]} wide>
      <textarea
        id={`cred-${k}`}
        name={k}
        rows={k === 'winrmCa' ? 4 : 2}
        class="mono"
        value={s[k]}
        onInput={(e) => set({ [k]: (e.target as HTMLTextAreaElement).value })}
        aria-invalid={errors[k] ? true : undefined}
        aria-describedby={describedBy(`cred-${k}`, true, errors[k])}
        placeholder={placeholder}
        spellcheck={false}
      />
    </Field>
  );

  const text = (
    k: 'name' | 'username' | 'domain' | 'port' | 'scope',
    label: string,
    hint: string,
    props: Record<string, unknown> = {},
  ) => (
    <Field id={`cred-${k}`} label={label} hint={hint} error={errors[k]}>
      <input
        id={`cred-${k}`}
        name={k}
        value={s[k]}
        onInput={(e) => set({ [k]: (e.target as HTMLInputElement).value })}
        aria-invalid={errors[k] ? true : undefined}
        aria-describedby={describedBy(`cred-${k}`, true, errors[k])}
        autoComplete="off"
        {...props}
      />
    </Field>
  );

  const secret = (k: string, opts: { multiline?: boolean; hint?: string } = {}) => {
    const id = `cred-${k}`;
    const isStored = stored.has(k);
    const error = errors[k] ?? errors[`secrets.${k}`];
    const hint = isStored
      ? 'Stored. Leave blank to keep it; type to replace.'
      : (opts.hint ?? 'Write-only: kept encrypted, never shown again.');
    const common = {
      id,
      name: k,
      value: s.secrets[k] ?? '',
      onInput: (e: Event) =>
        set({ secrets: { ...s.secrets, [k]: (e.target as HTMLInputElement).value } }),
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy(id, true, error),
      placeholder: isStored ? '•••••••• (stored)' : '',
      autoComplete: 'new-password',
    };
    return (
      <Field
        id={id}
        label={
          <>
            {secretLabel(k)}{' '}
            {isStored && (
              <span class="stored" data-stored={k}>
                stored
              </span>
            )}
          </>
        }
        hint={hint}
        error={error}
        wide={opts.multiline}
      >
        {opts.multiline ? (
          <textarea {...common} rows={4} class="mono" spellcheck={false} />
        ) : (
          <input type="password" {...common} />
        )}
      </Field>
    );
  };

  const select = (k: keyof State, label: string, options: [string, string][], hint?: string) => (
    <Field id={`cred-${k}`} label={label} hint={hint} error={errors[k]}>
      <select
        id={`cred-${k}`}
        name={k}
        value={s[k] as string}
        onChange={(e) => set({ [k]: (e.target as HTMLSelectElement).value })}
        aria-describedby={describedBy(`cred-${k}`, hint !== undefined, errors[k])}
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <Dialog
      title={editing ? `Edit credential ${credential.name}` : 'Add credential'}
      onClose={onClose}
      wide
      name="credential"
    >
      <form class="grid-form" onSubmit={submit} data-form="credential" novalidate>
        <Field
          id="cred-kind"
          label="Protocol"
          hint="What the credential logs in to."
          error={errors.kind}
        >
          <select
            id="cred-kind"
            name="kind"
            value={s.kind}
            disabled={editing}
            autoFocus={!editing}
            onChange={(e) => {
              const kind = (e.target as HTMLSelectElement).value as CredentialKind;
              set({
                kind,
                port:
                  DEFAULT_PORT[kind] === ''
                    ? ''
                    : s.port === DEFAULT_PORT[s.kind]
                      ? DEFAULT_PORT[kind]
                      : s.port,
                secrets: {},
              });
            }}
          >
            {(Object.keys(KIND_LABEL) as CredentialKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </Field>
        {text('name', 'Name', 'Unique; letters, digits, spaces and . _ @ -', {
          required: true,
          readOnly: editing,
        })}

        {s.kind === 'windows' && (
          <>
            {text('username', 'User name', 'sAMAccountName or DOMAIN\\user or user@domain.', {
              required: true,
            })}
            {text(
              'domain',
              'Domain',
              "NetBIOS or DNS domain; '.' for the target's local accounts.",
            )}
            {secret('password')}
            <div class={`field wide${errors.remoteExec ? ' invalid' : ''}`}>
              <label class="check">
                <input
                  type="checkbox"
                  id="cred-remoteExec"
                  name="remoteExec"
                  checked={s.remoteExec}
                  onChange={(e) => set({ remoteExec: (e.target as HTMLInputElement).checked })}
                  aria-describedby={describedBy('cred-remoteExec', true, errors.remoteExec)}
                />
                Allow remote execution (processes and connections)
              </label>
              <small class="hint warn" id="cred-remoteExec-hint" data-warning="remote-exec">
                Creates a temporary service on each target (it runs tasklist and netstat; service
                and output file are deleted afterwards). Needs an administrator; off by default.
              </small>
              {errors.remoteExec && (
                <small class="field-error" id="cred-remoteExec-error" role="alert" data-field-error>
                  {errors.remoteExec}
                </small>
              )}
            </div>
            {select(
              'winrmAuth',
              'WinRM authentication',
              [
                ['ntlm', 'NTLM (HTTP 5985 sealed, or HTTPS 5986)'],
                ['basic', 'Basic (HTTPS 5986 only; local accounts)'],
              ],
              'Basic is never sent over HTTP: hosts with only 5985 open are not tried with it.',
            )}
            {area(
              'winrmCa',
              'WinRM HTTPS CA certificates',
              "PEM of the CA(s) that issued the targets' WinRM certificates, used instead of the system CAs; the certificate must name the address scanned or its forward-confirmed DNS name (or the host name you scanned). Empty: system CAs.",
              '-----BEGIN CERTIFICATE-----',
            )}
            {area(
              'winrmCertFingerprints',
              'Pinned WinRM certificates',
              'SHA-256 fingerprints, one per line. When set, only these certificates are accepted (chain and names not checked). A refused certificate’s error names its fingerprint: check it before pinning.',
              'SHA256:54:7B:8A:…',
            )}
          </>
        )}

        {s.kind === 'vcenter' && (
          <>
            {text(
              'username',
              'User name',
              'e.g. administrator@vsphere.local (read-only role is enough).',
              { required: true },
            )}
            {text('port', 'Port', 'HTTPS port of the vCenter or ESXi host (default 443).', {
              inputMode: 'numeric',
              placeholder: '443',
            })}
            {secret('password')}
          </>
        )}

        {s.kind === 'ssh' && (
          <>
            {text('username', 'User name', 'The account the scanner logs in as.', {
              required: true,
            })}
            {text('port', 'Port', 'SSH port (default 22).', {
              inputMode: 'numeric',
              placeholder: '22',
            })}
            <fieldset class="wide inline" aria-describedby="cred-sshAuth-hint">
              <legend>Authentication</legend>
              {(['password', 'key'] as const).map((m) => (
                <label key={m} class="check">
                  <input
                    type="radio"
                    name="sshAuth"
                    value={m}
                    checked={s.sshAuth === m}
                    onChange={() => set({ sshAuth: m })}
                  />
                  {m === 'password' ? 'Password' : 'Private key'}
                </label>
              ))}
              <small class="hint" id="cred-sshAuth-hint">
                A private key (OpenSSH or PEM, optionally protected by a passphrase) or a password.
              </small>
            </fieldset>
            {s.sshAuth === 'password' ? (
              secret('password')
            ) : (
              <>
                {secret('privateKey', {
                  multiline: true,
                  hint: 'Paste the whole key, BEGIN to END line.',
                })}
                {secret('passphrase', { hint: 'Only when the key is encrypted.' })}
              </>
            )}
            {select(
              'sudo',
              'sudo mode',
              [
                ['none', 'none — collect what the user can read'],
                ['nopasswd', 'sudo without password (NOPASSWD)'],
                ['password', 'sudo with a password'],
              ],
              'Some inventory (dmidecode, all processes) needs root.',
            )}
            {s.sudo === 'password' &&
              secret('sudoPassword', { hint: 'Blank: the login password is reused.' })}
          </>
        )}

        {s.kind === 'snmp' && (
          <>
            {select('snmpVersion', 'SNMP version', [
              ['2c', 'v2c (community)'],
              ['1', 'v1 (community)'],
              ['3', 'v3 (user, auth, privacy)'],
            ])}
            {text('port', 'Port', 'UDP port (default 161).', {
              inputMode: 'numeric',
              placeholder: '161',
            })}
            {s.snmpVersion !== '3' ? (
              secret('community', { hint: 'The read community string.' })
            ) : (
              <>
                {text('username', 'User (securityName)', 'The USM user name.', { required: true })}
                {select('securityLevel', 'Security level', [
                  ['authPriv', 'authPriv — authenticated and encrypted'],
                  ['authNoPriv', 'authNoPriv — authenticated only'],
                  ['noAuthNoPriv', 'noAuthNoPriv — neither'],
                ])}
                {s.securityLevel !== 'noAuthNoPriv' && (
                  <>
                    {select(
                      'authProtocol',
                      'Auth protocol',
                      AUTH.map((a) => [a, a.toUpperCase()]),
                    )}
                    {secret('authPassword', { hint: 'At least 8 characters.' })}
                  </>
                )}
                {s.securityLevel === 'authPriv' && (
                  <>
                    {select(
                      'privProtocol',
                      'Privacy protocol',
                      PRIV.map((p) => [p, p.toUpperCase()]),
                    )}
                    {secret('privPassword', { hint: 'At least 8 characters.' })}
                  </>
                )}
              </>
            )}
          </>
        )}

        <Field
          id="cred-scope"
          label="Scope"
          hint="Addresses, CIDRs, ranges or host names this credential may be tried on, one per line or comma separated. Empty: any host."
          error={errors.scope}
          wide
        >
          <textarea
            id="cred-scope"
            name="scope"
            rows={2}
            class="mono"
            value={s.scope}
            onInput={(e) => set({ scope: (e.target as HTMLTextAreaElement).value })}
            aria-describedby={describedBy('cred-scope', true, errors.scope)}
            placeholder="any host"
            spellcheck={false}
          />
        </Field>
        {errors.secrets && (
          <p class="field-error wide" role="alert">
            {errors.secrets}
          </p>
        )}
        <div class="actions wide">
          <span class="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {editing ? 'Save changes' : 'Add credential'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
