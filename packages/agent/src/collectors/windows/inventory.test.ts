import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../../errors.js';
import { collectWindowsInventory } from './inventory.js';
import { FakeRemote } from './fake-remote.js';
import { DOMAIN_SID, MACHINE_SID, server2022 } from './testdata/server-2022-domain.js';

const opts = () => ({ signal: new AbortController().signal, callTimeoutMs: 1000 });
const host = () => structuredClone(server2022);

test('collectWindowsInventory maps the OS facts: product, build with UBR, edition, role, install date', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  const os = inv.ci.os!;
  assert.equal(os.name, 'Windows Server 2022 Standard');
  assert.equal(os.version, '21H2');
  assert.equal(os.build, '20348.2340');
  assert.equal(os.kernel, '10.0');
  assert.equal(os.edition, 'ServerStandard');
  assert.equal(os.role, 'server');
  assert.equal(os.installedAt, '2023-11-14T22:13:20.000Z');
  assert.equal(os.registeredOwner, 'Windows User');
  assert.equal(os.registeredOrganization, null);
  assert.deepEqual(os.filledFromWow64, []);
  assert.equal(inv.sections.os, 'complete');
});

test('collectWindowsInventory lists software from both hives the way Programs and Features does', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.deepEqual(
    inv.ci.software.map((s) => [s.name, s.version, s.vendor, s.installedAt, s.arch, s.msi]),
    [
      ['7-Zip 23.01 (x64)', '23.01', 'Igor Pavlov', null, 'native', false],
      ['Java 8 Update 391', '8.0.3910.13', 'Oracle Corporation', '2023-10-20', 'x86', false],
      ['Microsoft Edge', '120.0.2210.91', 'Microsoft Corporation', '2023-12-19', 'native', true],
      ['Notepad++ (32-bit x86)', '8.6.2', 'Notepad++ Team', null, 'x86', false],
    ],
  );
  // SystemComponent=1, no DisplayName, and an update without a KB are hidden, and said so.
  assert.match(
    inv.notes.software!.join(' '),
    /1 system-component, 1 no-display-name, 1 update-without-kb/,
  );
  assert.equal(inv.sections.software, 'complete');
});

test('collectWindowsInventory finds hotfixes in Uninstall updates and installed CBS packages', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.deepEqual(
    inv.ci.os!.patches.map((p) => [p.id, p.source, p.installedAt?.slice(0, 10) ?? null]),
    [
      ['KB5002100', 'uninstall', '2023-11-15'],
      ['KB5031364', 'cbs', null],
      ['KB5034439', 'cbs', '2024-01-20'],
    ],
  );
});

test('collectWindowsInventory fills product facts from the 32-bit view when the native key lacks them', async () => {
  const h = host();
  const cv = 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
  h.registry[`SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion`] = {
    values: h.registry[cv]!.values!.filter((v) => v.name !== 'SystemRoot'),
  };
  // What Samba answers at the native key: only SystemRoot and CurrentVersion.
  h.registry[cv] = {
    values: [
      { name: 'SystemRoot', type: 1, data: 'c:\\Windows' },
      { name: 'CurrentVersion', type: 1, data: '6.1' },
    ],
  };
  const inv = await collectWindowsInventory(new FakeRemote(h), opts());
  assert.equal(inv.ci.os!.name, 'Windows Server 2022 Standard');
  assert.equal(inv.ci.os!.build, '20348.2340');
  assert.equal(inv.ci.os!.kernel, '10.0');
  assert.equal(inv.ci.os!.systemRoot, 'c:\\Windows');
  assert.ok(inv.ci.os!.filledFromWow64.includes('ProductName'));
  assert.ok(!inv.ci.os!.filledFromWow64.includes('SystemRoot'));
  assert.match(inv.notes.os!.join(' '), /32-bit view/);
});

test('collectWindowsInventory detects domain membership and classifies group members', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.deepEqual(inv.ci.membership, {
    type: 'domain',
    name: 'CORP',
    domainSid: DOMAIN_SID,
    machineSid: MACHINE_SID,
  });
  assert.equal(inv.ci.identity.fqdn, 'app01.corp.example.com');
  assert.equal(inv.ci.identity.domain, 'corp.example.com');
  const admins = inv.ci.groups.find((g) => g.name === 'Administrators')!;
  assert.deepEqual(
    admins.members.map((m) => [m.name, m.origin]),
    [
      ['Administrator', 'local'],
      ['Domain Admins', 'domain'],
      [null, 'domain'],
    ],
  );
  const users = inv.ci.groups.find((g) => g.name === 'Users')!;
  assert.deepEqual(
    users.members.map((m) => m.origin),
    ['well-known', 'domain'],
  );
});

test('collectWindowsInventory maps users with their flags and local groups', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.deepEqual(
    inv.ci.users.map((u) => [u.name, u.sid, u.disabled, u.lockedOut, u.groups]),
    [
      ['Administrator', `${MACHINE_SID}-500`, false, false, ['BUILTIN\\Administrators']],
      ['Guest', `${MACHINE_SID}-501`, true, false, []],
      ['svc-backup', `${MACHINE_SID}-1001`, false, true, ['BUILTIN\\Backup Operators']],
    ],
  );
});

test('collectWindowsInventory sees a workgroup when LSA names no domain SID', async () => {
  const h = host();
  h.membership = {
    primaryDomain: { name: 'WORKGROUP', sid: null },
    accountDomain: { name: 'APP01', sid: MACHINE_SID },
  };
  delete h.registry['SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters'];
  const inv = await collectWindowsInventory(new FakeRemote(h), opts());
  assert.equal(inv.ci.membership!.type, 'workgroup');
  assert.equal(inv.ci.membership!.name, 'WORKGROUP');
  assert.equal(inv.ci.identity.hostname, 'APP01');
  assert.equal(inv.ci.identity.fqdn, null);
  assert.equal(inv.ci.identity.domain, null);
  // A domain SID in a group is still a domain account (a trusted domain's).
  const admins = inv.ci.groups.find((g) => g.name === 'Administrators')!;
  assert.equal(admins.members[1]!.origin, 'domain');
});

test('collectWindowsInventory maps services, shares, hardware and logons', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.deepEqual(
    inv.ci.services.map((s) => [s.name, s.state, s.rawState, s.startMode, s.pid]),
    [
      ['Spooler', 'stopped', 'stopped', 'disabled', null],
      ['W32Time', 'running', 'running', 'manual', 1324],
      ['wuauserv', 'pending', 'start_pending', 'manual', null],
    ],
  );
  assert.deepEqual(
    inv.ci.shares.map((s) => [s.name, s.type, s.special, s.remark]),
    [
      ['ADMIN$', 'disk', true, 'Remote Admin'],
      ['C$', 'disk', true, 'Default share'],
      ['IPC$', 'ipc', true, 'Remote IPC'],
      ['Reports', 'disk', false, null],
    ],
  );
  assert.deepEqual(inv.ci.hardware!.cpu, {
    model: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz',
    vendor: 'GenuineIntel',
    identifier: 'Intel64 Family 6 Model 85 Stepping 7',
    mhz: 2095,
    logicalCount: 4,
  });
  assert.equal(inv.ci.hardware!.system.model, 'VMware7,1');
  assert.equal(inv.ci.hardware!.bios.releaseDate, '2023-01-11');
  assert.deepEqual(inv.ci.logons, [{ user: 'alice', domain: 'CORP' }]);
  assert.deepEqual(inv.hostnames, [
    { name: 'APP01', source: 'smb' },
    { name: 'app01.corp.example.com', source: 'smb' },
  ]);
});

test('collectWindowsInventory marks processes and connections unsupported without remote execution', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), opts());
  assert.equal(inv.sections.processes, 'unsupported');
  assert.equal(inv.sections.connections, 'unsupported');
  assert.match(inv.notes.processes!.join(), /--remote-exec/);
});

test('collectWindowsInventory stops at the caps and marks those sections partial', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), {
    ...opts(),
    caps: { uninstallKeysPerHive: 2, services: 2, accounts: 1 },
  });
  assert.equal(inv.sections.software, 'partial');
  assert.ok(inv.ci.software.length <= 4);
  assert.equal(inv.ci.services.length, 2);
  assert.equal(inv.sections.services, 'partial');
  assert.equal(inv.ci.users.length, 1);
  assert.equal(inv.sections.users, 'partial');
  assert.match(inv.notes.services!.join(), /cap of 2/);
});

test('collectWindowsInventory keeps going after a denied or failed read and marks what it cost', async () => {
  const remote = new FakeRemote(host())
    .fail(
      'accounts',
      new ScannerError('ERR_ACCESS_DENIED', 'SamrConnect returned STATUS_ACCESS_DENIED'),
    )
    .fail('services', new ScannerError('ERR_RPC', 'svcctl opnum 14: RPC fault nca_s_op_rng_error'))
    .fail(
      'values',
      new ScannerError('ERR_RPC', 'BaseRegOpenKey returned ERROR_INVALID_PARAMETER'),
      'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Java8',
    );
  const inv = await collectWindowsInventory(remote, opts());
  assert.equal(inv.sections.users, 'denied');
  assert.equal(inv.sections.groups, 'denied');
  assert.equal(inv.sections.services, 'partial');
  assert.equal(inv.sections.software, 'partial');
  assert.equal(inv.ci.software.length, 3);
  assert.equal(inv.sections.os, 'complete');
  assert.equal(inv.sections.shares, 'complete');
  assert.deepEqual(inv.error, {
    code: 'ERR_RPC',
    message: 'BaseRegOpenKey returned ERROR_INVALID_PARAMETER',
  });
});

test('collectWindowsInventory marks the rest timeout once the host deadline passes, without more calls', async () => {
  const ctl = new AbortController();
  const remote = new FakeRemote(host());
  const inner = remote.services.bind(remote);
  remote.services = async (max, limits) => {
    const r = await inner(max, limits);
    ctl.abort(new ScannerError('ERR_TIMEOUT', 'host budget spent'));
    return r;
  };
  const inv = await collectWindowsInventory(remote, { signal: ctl.signal, callTimeoutMs: 1000 });
  assert.equal(inv.sections.services, 'complete');
  assert.equal(inv.sections.users, 'timeout');
  assert.equal(inv.sections.shares, 'timeout');
  assert.equal(inv.sections.logons, 'timeout');
  const after = remote.calls.slice(remote.calls.indexOf('services') + 1);
  assert.deepEqual(after, []);
});

test('collectWindowsInventory stops at a dropped connection: no more calls, the rest partial, the drop reported', async () => {
  const drop = new ScannerError('ERR_PROTOCOL', '198.18.0.30:445: connection closed by the server');
  const remote = new FakeRemote(host()).failSession('services', drop);
  const inv = await collectWindowsInventory(remote, {
    ...opts(),
    remoteExec: () => assert.fail('remote execution on a lost session'),
  });
  assert.deepEqual(remote.calls.slice(remote.calls.indexOf('services')), [
    'services',
    'sessionLost ERR_PROTOCOL',
  ]);
  for (const s of ['identity', 'os', 'hardware', 'software'] as const)
    assert.equal(inv.sections[s], 'complete', s);
  for (const s of ['services', 'users', 'groups', 'shares', 'logons', 'processes'] as const)
    assert.equal(inv.sections[s], 'partial', s);
  assert.equal(inv.ci.services.length, 0);
  assert.ok(inv.ci.software.length > 0);
  assert.match(inv.notes.shares!.join(), /not read: the session ended \(.*connection closed/);
  assert.equal(inv.notes.shares!.length, 1);
  assert.equal(inv.sessionLost, true);
  assert.deepEqual(inv.error, { code: drop.code, message: drop.message });
});

test('collectWindowsInventory marks the rest timeout when the host stopped answering', async () => {
  const silent = new ScannerError('ERR_TIMEOUT', 'winreg opnum 17: no answer within 1000 ms');
  const gone = new ScannerError('ERR_TIMEOUT', 'the host stopped answering; an SMB2 echo too');
  const remote = new FakeRemote(host()).failSession(
    'values',
    silent,
    gone,
    'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  );
  const inv = await collectWindowsInventory(remote, opts());
  assert.equal(remote.calls.at(-1), 'sessionLost ERR_TIMEOUT');
  assert.equal(inv.sections.identity, 'complete');
  for (const s of ['os', 'hardware', 'software', 'services', 'users', 'groups', 'shares'] as const)
    assert.equal(inv.sections[s], 'timeout', s);
  assert.match(inv.notes.os!.join('\n'), /an SMB2 echo too/);
  assert.deepEqual(inv.error, { code: 'ERR_TIMEOUT', message: gone.message });
});

test('collectWindowsInventory goes on after a timeout when the session survived it', async () => {
  const slow = new ScannerError('ERR_TIMEOUT', 'svcctl opnum 14: no answer within 1000 ms');
  const remote = new FakeRemote(host()).fail('services', slow);
  const inv = await collectWindowsInventory(remote, opts());
  assert.ok(remote.calls.includes('sessionLost ERR_TIMEOUT'));
  assert.equal(inv.sections.services, 'timeout');
  assert.equal(inv.sections.users, 'complete');
  assert.equal(inv.sections.shares, 'complete');
  assert.equal(inv.sessionLost, false);
});

test('collectWindowsInventory takes processes and connections from remote execution and names owners', async () => {
  const inv = await collectWindowsInventory(new FakeRemote(host()), {
    ...opts(),
    remoteExec: async () => ({
      processes: {
        state: 'complete',
        data: [
          {
            pid: 908,
            ppid: null,
            user: 'NT AUTHORITY\\NETWORK SERVICE',
            name: 'svchost.exe',
            commandLine: 'svchost.exe',
            startedAt: null,
            cpuPercent: null,
            memoryPercent: null,
            rssKb: 9000,
            sessionName: 'Services',
            sessionId: 0,
            status: 'Unknown',
            cpuTime: '0:00:01',
            windowTitle: null,
          },
        ],
        notes: [],
      },
      connections: {
        state: 'complete',
        data: [
          {
            proto: 'tcp',
            family: 4,
            localAddress: '0.0.0.0',
            localPort: 135,
            remoteAddress: null,
            remotePort: null,
            state: 'LISTEN',
            pid: 908,
            processName: null,
            inode: null,
          },
        ],
        notes: [],
      },
    }),
  });
  assert.equal(inv.sections.processes, 'complete');
  assert.equal(inv.ci.connections[0]!.processName, 'svchost.exe');
});
