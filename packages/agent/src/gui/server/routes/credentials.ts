// /api/credentials: the vault as `credentials add|list|remove|test` manage it. Bodies are
// validated by the CLI's buildCredential (through Vault.add/update); secrets are write-only:
// answers carry `secretsSet` (names), and an edit keeps a stored secret the body leaves out.
import { isIP } from 'node:net';
import { createDnsResolver } from '../../../discovery/targets/index.js';
import { ScannerError } from '../../../errors.js';
import { readCaFile } from '../../../platform/link.js';
import { openStore } from '../../../store/index.js';
import {
  SECRET_FIELDS,
  type Credential,
  type CredentialSecrets,
} from '../../../vault/credential-types.js';
import type { CredentialInput } from '../../../vault/credential-input.js';
import { Vault } from '../../../vault/vault.js';
import type { GuiContext, Route } from '../context.js';
import { badRequest, fieldNamedIn, onlyFields, optionalString, optionalStrings } from '../http.js';

const TEST_TIMEOUT_MS = 15_000;

const BODY_FIELDS = [
  'kind',
  'name',
  'username',
  'domain',
  'port',
  'snmpVersion',
  'securityLevel',
  'authProtocol',
  'privProtocol',
  'sudo',
  'scope',
  'jump',
  'tlsVerify',
  'caFile',
  'remoteExec',
  'winrmAuth',
  'winrmCa',
  'winrmCertFingerprints',
  'secrets',
  'clearSecrets',
] as const;

/** Fields the core's validation messages name, as the body calls them. */
const MESSAGE_FIELDS: Record<string, string> = {
  name: 'name',
  username: 'username',
  domain: 'domain',
  port: 'port',
  version: 'snmpVersion',
  securityLevel: 'securityLevel',
  authProtocol: 'authProtocol',
  privProtocol: 'privProtocol',
  sudo: 'sudo',
  scope: 'scope',
  jump: 'jump',
  tlsVerify: 'tlsVerify',
  caFile: 'caFile',
  remoteExec: 'remoteExec',
  winrmAuth: 'winrmAuth',
  winrmCa: 'winrmCa',
  winrmCertFingerprints: 'winrmCertFingerprints',
  kind: 'kind',
  ...Object.fromEntries(SECRET_FIELDS.map((f) => [f, `secrets.${f}`])),
};

function fieldOf(message: string): string | undefined {
  // Skip the "credential 'NAME' (kind): " label, which would name `name` every time.
  const rest = message.replace(/^credential '[^']*' \([a-z]+\): /, '');
  if (/^invalid credential name/.test(rest)) return 'name';
  return MESSAGE_FIELDS[fieldNamedIn(rest, Object.keys(MESSAGE_FIELDS)) ?? ''];
}

/** What the page sees of a credential: everything but the secrets, whose names it gets. */
export function credentialView(c: Credential, secretsSet: string[], all: Credential[]) {
  const base = {
    name: c.name,
    kind: c.kind,
    scope: c.scope,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    secretsSet,
  };
  switch (c.kind) {
    case 'windows':
      return {
        ...base,
        username: c.username,
        domain: c.domain,
        remoteExec: c.remoteExec === true,
        winrmAuth: c.winrmAuth ?? 'ntlm',
        // Not secret (CA certificates and fingerprints): shown so an edit can keep or change them.
        ...(c.winrmCa ? { winrmCa: c.winrmCa } : {}),
        winrmCertFingerprints: c.winrmCertFingerprints ?? [],
      };
    case 'ssh':
      return {
        ...base,
        username: c.username,
        port: c.port,
        sudo: c.sudo,
        ...(c.jump
          ? {
              jump: {
                address: c.jump.address,
                port: c.jump.port,
                credential:
                  all.find((o) => o.id === c.jump!.credentialId)?.name ?? c.jump.credentialId,
              },
            }
          : {}),
      };
    case 'snmp':
      return {
        ...base,
        port: c.port,
        snmpVersion: c.version,
        ...(c.username !== undefined ? { username: c.username } : {}),
        ...(c.securityLevel !== undefined ? { securityLevel: c.securityLevel } : {}),
        ...(c.authProtocol !== undefined ? { authProtocol: c.authProtocol } : {}),
        ...(c.privProtocol !== undefined ? { privProtocol: c.privProtocol } : {}),
      };
    case 'vcenter':
      return {
        ...base,
        username: c.username,
        port: c.port,
        tlsVerify: c.tlsVerify,
        ...(c.caFile ? { caFile: c.caFile } : {}),
      };
  }
}

async function openVault(ctx: GuiContext): Promise<Vault> {
  return Vault.open(ctx.dir, { secretSink: ctx.secrets });
}

function view(vault: Vault, c: Credential) {
  return credentialView(c, vault.secretFields(c.id), vault.list());
}

/** The body's secrets (strings; empty = not given), registered for scrubbing first. */
function readSecrets(ctx: GuiContext, body: Record<string, unknown>): CredentialSecrets {
  const raw = body.secrets;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest('secrets must be an object', 'secrets');
  }
  const out: CredentialSecrets = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string' && value !== '') ctx.secrets.add(value);
    if (!(SECRET_FIELDS as readonly string[]).includes(key)) {
      throw badRequest(
        `unknown secret field '${key}' (known: ${SECRET_FIELDS.join(', ')})`,
        'secrets',
      );
    }
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string')
      throw badRequest(`secret '${key}' must be a string`, `secrets.${key}`);
    out[key as keyof CredentialSecrets] = value;
  }
  return out;
}

/** The non-secret fields of the body as CredentialInput fields (only those given). */
async function readFields(body: Record<string, unknown>): Promise<Partial<CredentialInput>> {
  onlyFields(body, BODY_FIELDS);
  const out: Partial<CredentialInput> = {};
  const s = (key: string) => optionalString(body, key);
  const name = s('name');
  if (name !== undefined) out.name = name;
  for (const key of ['username', 'domain'] as const) {
    const v = s(key);
    if (v !== undefined) out[key] = v;
  }
  if (body.port !== undefined && body.port !== null && body.port !== '') {
    const port =
      typeof body.port === 'string' && /^\d+$/.test(body.port) ? Number(body.port) : body.port;
    if (typeof port !== 'number') throw badRequest('port must be a number from 1 to 65535', 'port');
    out.port = port;
  }
  const choice = <K extends 'sudo' | 'securityLevel' | 'authProtocol' | 'privProtocol'>(key: K) => {
    const v = s(key);
    if (v !== undefined && v !== '') out[key] = v as CredentialInput[K];
  };
  choice('sudo');
  choice('securityLevel');
  choice('authProtocol');
  choice('privProtocol');
  const version = s('snmpVersion');
  if (version !== undefined && version !== '') {
    out.version = version.replace(/^v/i, '') as CredentialInput['version'];
  }
  const scope = optionalStrings(body, 'scope');
  if (scope !== undefined) out.scope = scope;
  if (body.tlsVerify !== undefined && body.tlsVerify !== null) {
    if (typeof body.tlsVerify !== 'boolean')
      throw badRequest('tlsVerify must be true or false', 'tlsVerify');
    out.tlsVerify = body.tlsVerify;
  }
  if (body.remoteExec !== undefined && body.remoteExec !== null) {
    // As `credentials add windows --remote-exec`: a plain on/off, windows only (the vault's
    // buildCredential refuses it on other kinds).
    if (typeof body.remoteExec !== 'boolean')
      throw badRequest('remoteExec must be true or false', 'remoteExec');
    out.remoteExec = body.remoteExec;
  }
  // windows WinRM settings: checked by the vault's validateWinrm, as `credentials add` does.
  const winrmAuth = s('winrmAuth');
  if (winrmAuth !== undefined && winrmAuth !== '')
    out.winrmAuth = winrmAuth as CredentialInput['winrmAuth'];
  const winrmCa = s('winrmCa');
  if (winrmCa !== undefined) out.winrmCa = winrmCa;
  const pins = optionalStrings(body, 'winrmCertFingerprints');
  if (pins !== undefined) out.winrmCertFingerprints = pins;
  const caFile = s('caFile');
  if (caFile !== undefined && caFile.trim() !== '') {
    try {
      await readCaFile(caFile);
    } catch (err) {
      throw badRequest((err as Error).message, 'caFile');
    }
    out.caFile = caFile;
  }
  if (body.jump !== undefined && body.jump !== null) {
    const j = body.jump as Record<string, unknown>;
    if (
      typeof j !== 'object' ||
      Array.isArray(j) ||
      typeof j.address !== 'string' ||
      typeof j.credential !== 'string'
    ) {
      throw badRequest('jump must be {address, port?, credential}', 'jump');
    }
    if (j.port !== undefined && typeof j.port !== 'number') {
      throw badRequest('jump.port must be a number', 'jump');
    }
    out.jump = {
      address: j.address,
      credential: j.credential,
      ...(typeof j.port === 'number' ? { port: j.port } : {}),
    };
  }
  return out;
}

/**
 * The secrets an edit stores: the stored ones, minus those the new settings cannot use (a
 * community after a move to SNMPv3, a sudo password without sudo mode password) and those the
 * body clears, overlaid with the ones the body gives.
 */
function mergeSecrets(
  current: Credential,
  stored: CredentialSecrets,
  fields: Partial<CredentialInput>,
  given: CredentialSecrets,
  clear: string[],
): CredentialSecrets {
  const out: CredentialSecrets = { ...stored };
  for (const f of clear) delete out[f as keyof CredentialSecrets];
  if (current.kind === 'snmp') {
    const version = fields.version ?? current.version;
    const level = fields.securityLevel ?? current.securityLevel ?? 'authPriv';
    if (version === '3') delete out.community;
    else {
      delete out.authPassword;
      delete out.privPassword;
    }
    if (version === '3' && level === 'noAuthNoPriv') delete out.authPassword;
    if (version === '3' && level !== 'authPriv') delete out.privPassword;
  }
  if (current.kind === 'ssh' && (fields.sudo ?? current.sudo) !== 'password')
    delete out.sudoPassword;
  if (
    current.kind === 'ssh' &&
    given.password !== undefined &&
    given.privateKey === undefined &&
    clear.includes('privateKey')
  ) {
    delete out.passphrase;
  }
  return { ...out, ...given };
}

function readClear(body: Record<string, unknown>): string[] {
  const clear = optionalStrings(body, 'clearSecrets') ?? [];
  for (const f of clear) {
    if (!(SECRET_FIELDS as readonly string[]).includes(f)) {
      throw badRequest(`clearSecrets: unknown secret field '${f}'`, 'clearSecrets');
    }
  }
  return clear;
}

/** Remote execution creates services on targets: an explicit choice, logged as the CLI does. */
function remoteExecNotice(ctx: GuiContext, c: Credential): void {
  if (c.kind === 'windows' && c.remoteExec) {
    ctx.log.warn('remote execution allowed for a credential', { id: c.id, name: c.name });
  }
}

export const credentialRoutes: Route[] = [
  {
    method: 'GET',
    path: '/credentials',
    async handle(ctx) {
      const vault = await openVault(ctx);
      return { status: 200, body: { credentials: vault.list().map((c) => view(vault, c)) } };
    },
  },
  {
    method: 'POST',
    path: '/credentials',
    fieldOf,
    async handle(ctx, r) {
      const body = await r.body();
      const secrets = readSecrets(ctx, body);
      const fields = await readFields(body);
      const kind = optionalString(body, 'kind');
      if (!kind) throw badRequest('kind is required: windows, ssh, snmp or vcenter', 'kind');
      if (fields.name === undefined) throw badRequest('name is required', 'name');
      if (body.clearSecrets !== undefined)
        throw badRequest('clearSecrets is for edits', 'clearSecrets');
      const vault = await openVault(ctx);
      const added = await vault.add({
        ...fields,
        name: fields.name,
        kind: kind as CredentialInput['kind'],
        secrets,
      });
      ctx.log.info('credential added', { id: added.id, name: added.name, kind: added.kind });
      remoteExecNotice(ctx, added);
      if (added.kind === 'vcenter' && !added.tlsVerify) {
        ctx.log.warn('TLS verification turned off for a credential', {
          id: added.id,
          name: added.name,
        });
      }
      return { status: 201, body: { credential: view(vault, added) } };
    },
  },
  {
    method: 'PUT',
    path: '/credentials/:name',
    fieldOf,
    async handle(ctx, r) {
      const body = await r.body();
      const given = readSecrets(ctx, body);
      const fields = await readFields(body);
      const clear = readClear(body);
      const vault = await openVault(ctx);
      const current = vault.get(r.params.name!);
      const kind = optionalString(body, 'kind');
      if (
        kind !== undefined &&
        kind !== current.kind &&
        !(kind === 'wmi' && current.kind === 'windows')
      ) {
        throw badRequest(
          `the kind of '${current.name}' is ${current.kind}; remove it and add a new one to change it`,
          'kind',
        );
      }
      const stored = vault.unlock(current.id).secrets;
      const secrets = mergeSecrets(current, stored, fields, given, clear);
      const updated = await vault.update(current.id, { ...fields, secrets });
      ctx.log.info('credential changed', {
        id: updated.id,
        name: updated.name,
        kind: updated.kind,
        secretsChanged: Object.keys(given),
        secretsCleared: clear,
      });
      if (current.kind !== 'windows' || current.remoteExec !== true) remoteExecNotice(ctx, updated);
      return { status: 200, body: { credential: view(vault, updated) } };
    },
  },
  {
    method: 'DELETE',
    path: '/credentials/:name',
    async handle(ctx, r) {
      const vault = await openVault(ctx);
      const removed = await vault.remove(r.params.name!);
      ctx.log.info('credential removed', {
        id: removed.id,
        name: removed.name,
        kind: removed.kind,
      });
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/credentials/:name/test',
    fieldOf: (m) => (/target/.test(m) ? 'target' : undefined),
    async handle(ctx, r) {
      const body = await r.body();
      onlyFields(body, ['target', 'timeoutMs']);
      const target = optionalString(body, 'target')?.trim();
      if (!target) throw badRequest('target is required: an address or a hostname', 'target');
      if (target.length > 253 || /[\s/@,]/.test(target)) {
        throw badRequest(`target '${target}' is not one address or hostname`, 'target');
      }
      const vault = await openVault(ctx);
      const credential = vault.get(r.params.name!);
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(TEST_TIMEOUT_MS * 2)]);
      let address = target;
      if (isIP(target) === 0) {
        const found = await createDnsResolver()(target, signal);
        const first = found.find((a) => a.family === 4) ?? found[0];
        if (!first)
          throw new ScannerError('ERR_UNREACHABLE', `${target} does not resolve to an address`);
        address = first.address;
      }
      const inScope = vault
        .candidatesFor(credential.kind, address, isIP(target) ? [] : [target])
        .some((c) => c.id === credential.id);
      const unlocked = vault.unlock(credential.id);
      const { checkCredential } = await import('../../../scan/credential-check.js');
      const { jumpLoginFor } = await import('../../../scan/ssh-login.js');
      const store = credential.kind === 'ssh' ? openStore(ctx.dir) : undefined;
      let outcome;
      try {
        outcome = await checkCredential(unlocked, address, {
          signal,
          timeoutMs: TEST_TIMEOUT_MS,
          ...(store && credential.kind === 'ssh'
            ? { hostKey: store.hostKeys.checkFor(address, credential.port) }
            : {}),
          ...jumpLoginFor(vault, store, credential),
          ...(isIP(target) === 0 ? { hostname: target } : {}),
        });
      } finally {
        store?.close();
      }
      const { attempt, facts } = outcome;
      const scrub = (t: string) => ctx.secrets.scrub(t);
      const message = attempt.error
        ? `${attempt.error.code}: ${scrub(attempt.error.message)}`
        : `logged in to ${address} over ${attempt.protocol}`;
      ctx.log.info('credential tested', {
        id: credential.id,
        name: credential.name,
        target: address,
        status: attempt.status,
        error: attempt.error,
      });
      return {
        status: 200,
        body: {
          ok: attempt.status === 'success',
          status: attempt.status,
          message,
          durationMs: attempt.durationMs,
          address,
          inScope,
          facts: Object.fromEntries(
            Object.entries(facts).map(([k, v]) => [k, scrub(v.split(/\r?\n/)[0] ?? '')]),
          ),
        },
      };
    },
  },
];
