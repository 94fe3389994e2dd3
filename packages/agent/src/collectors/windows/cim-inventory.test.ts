// The CIM collector over the fixture machine served in memory: every section mapped from its
// classes, the WHERE filters honoured, caps, denied and missing classes, the host deadline.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../../errors.js';
import type { CimObject } from '../../transports/wmio/cim-object.js';
import {
  selectFromFixture,
  WINDOWS_CIM_HOST,
} from '../../../../../test/support/windows-cim-fixture.js';
import { collectCimInventory } from './cim-inventory.js';
import { parseCimRef } from './cim-values.js';
import type { CimQueryLimits, CimSource } from './cim-source.js';
import type { Listing, RegistryAccess, RegistryValue } from './remote.js';

/** The fixture as a CimSource; `fail` makes chosen classes throw, `seen` records the queries. */
class FixtureSource implements CimSource {
  readonly path = 'wmi';
  readonly seen: string[] = [];
  registry?: RegistryAccess;
  constructor(
    readonly fail: Record<string, () => ScannerError> = {},
    readonly host: Record<string, readonly CimObject[]> = WINDOWS_CIM_HOST,
  ) {}
  async *query(namespace: string, wql: string, limits: CimQueryLimits): AsyncGenerator<CimObject> {
    this.seen.push(`${namespace} ${wql}`);
    const cls = /FROM (\w+)/.exec(wql)![1]!;
    const failure = this.fail[cls];
    if (failure) throw failure();
    const objects = selectFromFixture(namespace, wql, this.host);
    if (!objects) throw new ScannerError('ERR_RPC', `invalid query ${wql}`);
    let n = 0;
    for (const o of objects) {
      if (limits.signal.aborted) throw new ScannerError('ERR_ABORTED', 'aborted');
      if (++n > limits.maxObjects) return;
      yield o;
    }
  }
  async close(): Promise<void> {}
}

/** A registry port over a plain tree: key path → values and subkeys. */
function registry(tree: Record<string, RegistryValue[]>): RegistryAccess {
  const norm = (p: string) => p.toLowerCase();
  const keys = new Map(Object.entries(tree).map(([k, v]) => [norm(k), v]));
  return {
    async subkeys(path, max): Promise<Listing<string> | null> {
      const prefix = `${norm(path)}\\`;
      const names = [
        ...new Set(
          Object.keys(tree)
            .filter((k) => norm(k).startsWith(prefix))
            .map((k) => k.slice(prefix.length).split('\\')[0]!),
        ),
      ];
      if (names.length === 0 && !keys.has(norm(path))) return null;
      return { items: names.slice(0, max), truncated: names.length > max };
    },
    async values(path, max): Promise<Listing<RegistryValue> | null> {
      const v = keys.get(norm(path));
      return v ? { items: v.slice(0, max), truncated: v.length > max } : null;
    },
  };
}

const opts = () => ({ signal: new AbortController().signal, callTimeoutMs: 5_000 });
const sz = (name: string, data: string): RegistryValue => ({ name, type: 1, data });
const dword = (name: string, data: number): RegistryValue => ({ name, type: 4, data });

describe('collectCimInventory over the fixture machine', () => {
  test('identity, membership and the OS come from Win32_ComputerSystem, product, BIOS and OS', async () => {
    const inv = await collectCimInventory(new FixtureSource(), opts());
    assert.deepEqual(inv.ci.identity, {
      hostname: 'WIN-SRV01',
      fqdn: 'win-srv01.corp.nopelab.test',
      domain: 'corp.nopelab.test',
      serial: 'B5RNK3',
      systemUuid: '4c4c4544-0042-3510-8052-b4c04f4e4b33',
      macs: ['b4:96:91:a2:3c:10', '00:50:56:8f:12:34'],
    });
    assert.deepEqual(inv.ci.membership, {
      type: 'domain',
      name: 'corp.nopelab.test',
      domainSid: null,
      machineSid: 'S-1-5-21-1004336348-1177238915-682003330',
    });
    const os = inv.ci.os!;
    assert.equal(os.name, 'Windows Server 2022 Standard');
    assert.equal(os.kernel, '10.0');
    assert.equal(os.build, '20348');
    assert.equal(os.role, 'server');
    assert.equal(os.productType, 'ServerNT');
    assert.equal(os.installedAt, '2023-01-15T08:30:12.000Z');
    assert.equal(os.registeredOwner, 'NopeLab Ops');
    assert.equal(os.systemRoot, 'C:\\Windows');
    assert.deepEqual(
      os.patches.map((p) => [p.id, p.installedAt, p.source]),
      [
        ['KB5031364', '2023-11-08', 'qfe'],
        ['KB5034439', '2024-02-14', 'qfe'],
      ],
    );
    assert.deepEqual(inv.hostnames, [
      { name: 'WIN-SRV01', source: 'wmi' },
      { name: 'win-srv01.corp.nopelab.test', source: 'wmi' },
    ]);
  });

  test('hardware: CPUs, memory modules, disks, logical disks and IP-enabled NICs only', async () => {
    const hw = (await collectCimInventory(new FixtureSource(), opts())).ci.hardware!;
    assert.deepEqual(hw.cpu, {
      model: 'Intel(R) Xeon(R) Gold 6326 CPU @ 2.90GHz',
      vendor: 'GenuineIntel',
      identifier: 'Intel64 Family 6 Model 106 Stepping 6',
      mhz: 2900,
      logicalCount: 8,
    });
    assert.deepEqual(hw.system, {
      manufacturer: 'Dell Inc.',
      model: 'PowerEdge R650',
      sku: 'SKU=0A6B',
      family: 'PowerEdge',
    });
    assert.deepEqual(hw.bios, { vendor: 'Dell Inc.', version: '1.9.2', releaseDate: '2023-02-15' });
    assert.equal(hw.processors!.length, 2);
    assert.equal(hw.memory!.totalBytes, 68451041280);
    assert.deepEqual(
      hw.memory!.modules.map((m) => [m.locator, m.capacityBytes]),
      [
        ['A1', 34359738368],
        ['B1', 34359738368],
      ],
    );
    assert.deepEqual(
      hw.disks!.map((d) => [d.index, d.sizeBytes]),
      [
        [0, 479987600896],
        [1, 3999688206336],
      ],
    );
    assert.deepEqual(
      hw.logicalDisks!.map((l) => [l.deviceId, l.type, l.providerName]),
      [
        ['C:', 'local', null],
        ['D:', 'cdrom', null],
        ['E:', 'local', null],
        ['Z:', 'network', '\\\\files.corp.nopelab.test\\teams'],
      ],
    );
    assert.deepEqual(
      hw.nics!.map((n) => [n.index, n.mac, n.addresses, n.gateways, n.dhcpEnabled, n.dnsServers]),
      [
        [
          1,
          'b4:96:91:a2:3c:10',
          [
            { address: '10.20.0.15', family: 4, subnet: '255.255.255.0' },
            { address: 'fe80::5d2a:61b1:8c4e:2f10', family: 6, subnet: '64' },
          ],
          ['10.20.0.1'],
          false,
          ['10.20.0.2', '10.20.0.3'],
        ],
        [
          3,
          '00:50:56:8f:12:34',
          [{ address: '192.168.50.15', family: 4, subnet: '255.255.255.0' }],
          [],
          true,
          ['192.168.50.1'],
        ],
      ],
    );
  });

  test('services, processes with owners, logons and connections mapped to processes', async () => {
    const inv = await collectCimInventory(new FixtureSource(), opts());
    const spooler = inv.ci.services.find((s) => s.name === 'Spooler')!;
    assert.deepEqual(spooler, {
      name: 'Spooler',
      displayName: 'Print Spooler',
      state: 'running',
      rawState: 'running',
      startMode: 'auto',
      account: 'LocalSystem',
      binaryPath: 'C:\\Windows\\System32\\spoolsv.exe',
      pid: 2140,
      manager: 'scm',
    });
    const bits = inv.ci.services.find((s) => s.name === 'BITS')!;
    assert.deepEqual([bits.state, bits.rawState, bits.pid], ['pending', 'start_pending', null]);
    const owners = Object.fromEntries(inv.ci.processes.map((p) => [p.pid, p.user]));
    assert.deepEqual(owners, {
      0: null,
      4: null,
      1200: 'NT AUTHORITY\\NETWORK SERVICE',
      2140: 'NT AUTHORITY\\SYSTEM',
      3344: 'NT Service\\MSSQLSERVER',
      5120: 'CORP\\alice',
      6000: 'CORP\\alice',
    });
    const ps = inv.ci.processes.find((p) => p.pid === 6000)!;
    assert.equal(
      ps.commandLine,
      '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoLogo',
    );
    assert.equal(ps.ppid, 5120);
    assert.equal(ps.startedAt, '2024-11-25T08:00:00.000Z');
    assert.equal(ps.rssKb, 84000);
    assert.equal(ps.cpuTime, '0:40:00');
    assert.deepEqual(inv.ci.logons, [{ user: 'alice', domain: 'CORP' }]);
    const sql = inv.ci.connections.find((c) => c.localPort === 1433 && c.state === 'ESTABLISHED')!;
    assert.deepEqual(sql, {
      proto: 'tcp',
      family: 4,
      localAddress: '10.20.0.15',
      localPort: 1433,
      remoteAddress: '10.20.0.40',
      remotePort: 51234,
      state: 'ESTABLISHED',
      pid: 3344,
      processName: 'sqlservr.exe',
      inode: null,
    });
    const winrm = inv.ci.connections.find((c) => c.localPort === 5985)!;
    assert.deepEqual(
      [winrm.family, winrm.state, winrm.remoteAddress, winrm.processName],
      [6, 'LISTEN', null, 'System'],
    );
    assert.equal(
      inv.ci.connections.filter((c) => c.proto === 'udp' && c.state === 'UNCONN').length,
      2,
    );
    assert.ok(inv.relationships.some((r) => r.type === 'connected_to'));
  });

  test('local users and groups only, BUILTIN groups named so, members with SIDs and origins', async () => {
    const inv = await collectCimInventory(new FixtureSource(), opts());
    assert.deepEqual(
      inv.ci.users.map((u) => [u.name, u.disabled, u.lockedOut, u.groups]),
      [
        ['Administrator', false, false, ['BUILTIN\\Administrators']],
        ['Guest', true, false, []],
        ['labops', false, true, ['WIN-SRV01\\labapps']],
        ['labsvc', false, false, ['BUILTIN\\Users', 'WIN-SRV01\\labapps']],
      ],
    );
    const admins = inv.ci.groups.find((g) => g.name === 'Administrators')!;
    assert.equal(admins.domain, 'BUILTIN');
    assert.deepEqual(
      admins.members.map((m) => [m.domain, m.name, m.sid, m.origin]),
      [
        ['CORP', 'Domain Admins', '', 'domain'],
        ['WIN-SRV01', 'Administrator', 'S-1-5-21-1004336348-1177238915-682003330-500', 'local'],
      ],
    );
    const users = inv.ci.groups.find((g) => g.name === 'Users')!;
    assert.deepEqual(
      users.members.map((m) => [m.domain, m.name, m.origin]),
      [
        ['NT AUTHORITY', 'INTERACTIVE', 'well-known'],
        ['WIN-SRV01', 'labsvc', 'local'],
      ],
    );
    assert.ok(!inv.ci.groups.some((g) => g.name === 'Domain Admins'));
    assert.deepEqual(
      inv.ci.shares.map((s) => [s.name, s.type, s.special]),
      [
        ['ADMIN$', 'disk', true],
        ['C$', 'disk', true],
        ['Data', 'disk', false],
        ['IPC$', 'ipc', true],
      ],
    );
  });

  test('without a registry: software unsupported, SQL Server instances from their services', async () => {
    const inv = await collectCimInventory(new FixtureSource(), opts());
    assert.equal(inv.sections.software, 'unsupported');
    assert.match(inv.notes.software![0]!, /StdRegProv/);
    assert.deepEqual(inv.ci.software, []);
    assert.deepEqual(
      inv.ci.sqlInstances!.map((s) => [s.name, s.serviceName, s.state, s.source]),
      [
        ['MSSQLSERVER', 'MSSQLSERVER', 'running', 'service'],
        ['REPORTING', 'MSSQL$REPORTING', 'stopped', 'service'],
      ],
    );
    const rest = Object.entries(inv.sections).filter(([s]) => s !== 'software');
    assert.deepEqual(
      rest.filter(([, state]) => state !== 'complete'),
      [],
    );
    assert.equal(inv.error, null);
  });

  test('with a registry: software and hotfixes as the 445 path reads them, SQL instances from Instance Names', async () => {
    const source = new FixtureSource();
    const U = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
    source.registry = registry({
      'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion': [
        sz('ProductName', 'Windows Server 2022 Standard'),
        sz('DisplayVersion', '21H2'),
        sz('CurrentBuild', '20348'),
        dword('UBR', 2340),
        sz('EditionID', 'ServerStandard'),
        sz('InstallationType', 'Server'),
      ],
      [`${U}\\7-Zip`]: [sz('DisplayName', '7-Zip 23.01 (x64)'), sz('DisplayVersion', '23.01')],
      [`${U}\\Hidden`]: [sz('DisplayName', 'Hidden'), dword('SystemComponent', 1)],
      [`${U}\\KB5002100`]: [
        sz('DisplayName', 'Update for X (KB5002100)'),
        sz('ParentKeyName', 'X'),
      ],
      'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL': [
        sz('MSSQLSERVER', 'MSSQL16.MSSQLSERVER'),
      ],
      'SOFTWARE\\Microsoft\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\Setup': [
        sz('Edition', 'Standard Edition'),
        sz('PatchLevel', '16.0.4135.4'),
      ],
    });
    const inv = await collectCimInventory(source, opts());
    assert.equal(inv.sections.software, 'complete');
    assert.deepEqual(
      inv.ci.software.map((s) => [s.name, s.version]),
      [['7-Zip 23.01 (x64)', '23.01']],
    );
    assert.deepEqual(
      inv.ci.os!.patches.map((p) => [p.id, p.source]),
      [
        ['KB5002100', 'uninstall'],
        ['KB5031364', 'qfe'],
        ['KB5034439', 'qfe'],
      ],
    );
    assert.equal(inv.ci.os!.version, '21H2');
    assert.equal(inv.ci.os!.build, '20348.2340');
    assert.equal(inv.ci.os!.edition, 'ServerStandard');
    assert.deepEqual(inv.ci.sqlInstances, [
      {
        name: 'MSSQLSERVER',
        instanceId: 'MSSQL16.MSSQLSERVER',
        version: '16.0.4135.4',
        edition: 'Standard Edition',
        serviceName: 'MSSQLSERVER',
        state: 'running',
        source: 'registry',
      },
    ]);
  });

  test('the queries: IPEnabled and LocalAccount filters, connections in root/StandardCimv2', async () => {
    const source = new FixtureSource();
    await collectCimInventory(source, opts());
    assert.ok(
      source.seen.includes(
        'root/cimv2 SELECT * FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled = TRUE',
      ),
    );
    assert.ok(
      source.seen.includes('root/cimv2 SELECT * FROM Win32_UserAccount WHERE LocalAccount = TRUE'),
    );
    assert.ok(
      source.seen.includes('root/cimv2 SELECT * FROM Win32_Group WHERE LocalAccount = TRUE'),
    );
    assert.ok(source.seen.includes('root/StandardCimv2 SELECT * FROM MSFT_NetTCPConnection'));
    assert.ok(!source.seen.some((q) => /Win32_Product\b/.test(q)));
  });

  test('a denied class makes its section denied, a missing class unsupported; the rest is read', async () => {
    const denied = () => new ScannerError('ERR_ACCESS_DENIED', 'WBEM_E_ACCESS_DENIED');
    const missing = () =>
      Object.assign(new ScannerError('ERR_RPC', 'returned WBEM_E_INVALID_NAMESPACE'), {
        hresult: 0x8004100e,
      });
    const inv = await collectCimInventory(
      new FixtureSource({ Win32_Service: denied, MSFT_NetTCPConnection: missing }),
      opts(),
    );
    assert.equal(inv.sections.services, 'denied');
    assert.equal(inv.sections.connections, 'unsupported');
    assert.equal(inv.sections.processes, 'complete');
    assert.equal(inv.ci.processes.length, 7);
    assert.equal(inv.sessionLost, false);
    assert.deepEqual(inv.error, { code: 'ERR_ACCESS_DENIED', message: 'WBEM_E_ACCESS_DENIED' });
  });

  test('a call that times out ends the session: later sections are timeout, not asked', async () => {
    const source = new FixtureSource({
      Win32_Processor: () => new ScannerError('ERR_TIMEOUT', 'Next timed out after 5000ms'),
    });
    const inv = await collectCimInventory(source, opts());
    assert.equal(inv.sessionLost, true);
    assert.equal(inv.sections.identity, 'complete');
    assert.equal(inv.sections.hardware, 'timeout');
    assert.equal(inv.sections.services, 'timeout');
    assert.equal(inv.sections.connections, 'timeout');
    assert.ok(!source.seen.some((q) => /Win32_Service/.test(q)), 'nothing asked after the stall');
    assert.deepEqual(inv.error, { code: 'ERR_TIMEOUT', message: 'Next timed out after 5000ms' });
  });

  test('the host deadline: once aborted no query is made and every section left is timeout', async () => {
    const ac = new AbortController();
    ac.abort();
    const source = new FixtureSource();
    const inv = await collectCimInventory(source, { signal: ac.signal, callTimeoutMs: 5_000 });
    assert.deepEqual(source.seen, []);
    for (const [section, state] of Object.entries(inv.sections))
      if (section !== 'software') assert.equal(state, 'timeout', section);
  });

  test('a class with more instances than the cap is cut there and its section partial', async () => {
    const inv = await collectCimInventory(new FixtureSource(), {
      ...opts(),
      caps: { objectsPerQuery: 3 },
    });
    assert.equal(inv.ci.processes.length, 3);
    assert.equal(inv.sections.processes, 'partial');
    assert.match(inv.notes.processes!.join('\n'), /Win32_Process: more than the cap of 3/);
  });
});

describe('parseCimRef', () => {
  test('reads WMI object paths and WinRM references alike', () => {
    assert.deepEqual(
      parseCimRef('\\\\WIN-SRV01\\root\\cimv2:Win32_Group.Domain="WIN-SRV01",Name="Users"'),
      { className: 'Win32_Group', keys: { Domain: 'WIN-SRV01', Name: 'Users' } },
    );
    assert.deepEqual(
      parseCimRef(
        'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Group?Domain=WIN-SRV01&Name=Users',
      ),
      { className: 'Win32_Group', keys: { Domain: 'WIN-SRV01', Name: 'Users' } },
    );
    assert.deepEqual(parseCimRef('Win32_Process.Handle=42'), {
      className: 'Win32_Process',
      keys: { Handle: '42' },
    });
    assert.deepEqual(parseCimRef('Win32_Account.Domain="A\\\\B",Name="say \\"hi\\""'), {
      className: 'Win32_Account',
      keys: { Domain: 'A\\B', Name: 'say "hi"' },
    });
    assert.equal(parseCimRef('not a path at all'), null);
  });
});
