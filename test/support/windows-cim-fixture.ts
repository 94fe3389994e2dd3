// A fake Windows host in CIM form: one consistent machine (WIN-SRV01, a member server of
// corp.nopelab.test running SQL Server) as the CimObjects its WMI classes would return, served by
// both test peers — WMIO-encoded by the DCOM/WMI peer, as WS-Man XML by the WinRM peer — through
// a small WQL evaluator (`SELECT * FROM Class [WHERE Prop = literal]`). Property types are the
// classes' MOF types, as the collector's schema (cim-classes.ts) declares them.
import {
  CIM_QUERIES,
  type CimQuery,
} from '../../packages/agent/src/collectors/windows/cim-classes.js';
import { parseCimRef } from '../../packages/agent/src/collectors/windows/cim-values.js';
import {
  parseDmtfDatetime,
  type CimObject,
  type CimProperty,
  type CimScalar,
  type CimType,
} from '../../packages/agent/src/transports/wmio/cim-object.js';
import {
  classDefOf,
  encodeInstanceUnit,
} from '../../packages/agent/src/transports/wmio/wmio-encoder.js';
import { NS, wmiResourceUri } from '../../packages/agent/src/transports/wsman/wsman-envelope.js';

type Plain = string | number | boolean | null | (string | number)[];

const TYPES = new Map<string, Record<string, string>>(
  (Object.values(CIM_QUERIES) as CimQuery[]).map((q) => [q.className, q.properties]),
);

/** An instance of `className` with MOF-typed properties (a property unknown to the schema is a bug). */
function inst(className: string, values: Record<string, Plain>): CimObject {
  const types = TYPES.get(className);
  if (!types) throw new Error(`fixture: no schema for ${className}`);
  const properties: Record<string, CimProperty> = {};
  for (const [name, v] of Object.entries(values)) {
    const t = types[name];
    if (!t) throw new Error(`fixture: ${className}.${name} is not in the schema`);
    const isArray = t.endsWith('[]');
    const cimType = (isArray ? t.slice(0, -2) : t) as CimType;
    const one = (x: string | number | boolean): CimScalar => {
      if (cimType === 'datetime') return parseDmtfDatetime(String(x));
      if (cimType === 'uint64' || cimType === 'sint64') return String(x);
      return x;
    };
    properties[name] = {
      cimType,
      isArray,
      value: v === null ? null : Array.isArray(v) ? v.map(one) : one(v),
    };
  }
  return { className, properties };
}

export const HOST = 'WIN-SRV01';
export const DOMAIN_DNS = 'corp.nopelab.test';
const MACHINE_SID = 'S-1-5-21-1004336348-1177238915-682003330';
const ref = (cls: string, keys: string) => `\\\\${HOST}\\root\\cimv2:${cls}.${keys}`;
const account = (domain: string, name: string) =>
  ref('Win32_Account', `Domain="${domain}",Name="${name}"`);
const session = (id: string) => ref('Win32_LogonSession', `LogonId="${id}"`);
const proc = (pid: number) => ref('Win32_Process', `Handle="${pid}"`);
const group = (name: string) => ref('Win32_Group', `Domain="${HOST}",Name="${name}"`);

const cimv2: CimObject[] = [
  inst('Win32_ComputerSystem', {
    Name: HOST,
    DNSHostName: HOST,
    Domain: DOMAIN_DNS,
    Workgroup: null,
    PartOfDomain: true,
    DomainRole: 3,
    Manufacturer: 'Dell Inc.',
    Model: 'PowerEdge R650',
    SystemFamily: 'PowerEdge',
    SystemSKUNumber: 'SKU=0A6B',
    TotalPhysicalMemory: '68451041280',
    NumberOfProcessors: 2,
    NumberOfLogicalProcessors: 8,
  }),
  inst('Win32_ComputerSystemProduct', {
    UUID: '4C4C4544-0042-3510-8052-B4C04F4E4B33',
    IdentifyingNumber: 'B5RNK3',
    Vendor: 'Dell Inc.',
    Name: 'PowerEdge R650',
  }),
  inst('Win32_BIOS', {
    Manufacturer: 'Dell Inc.',
    SMBIOSBIOSVersion: '1.9.2',
    Version: 'DELL   - 1072009',
    ReleaseDate: '20230215000000.000000+000',
    SerialNumber: 'B5RNK3',
  }),
  inst('Win32_BaseBoard', { Manufacturer: 'Dell Inc.', Product: '0PJ4G7' }),
  inst('Win32_OperatingSystem', {
    Caption: 'Microsoft Windows Server 2022 Standard',
    Version: '10.0.20348',
    BuildNumber: '20348',
    CSDVersion: null,
    OSArchitecture: '64-bit',
    ProductType: 3,
    InstallDate: '20230115093012.000000+060',
    LastBootUpTime: '20241120071500.500000+060',
    RegisteredUser: 'NopeLab Ops',
    Organization: 'NopeLab',
    WindowsDirectory: 'C:\\Windows',
    TotalVisibleMemorySize: '66846720',
  }),
  inst('Win32_QuickFixEngineering', {
    HotFixID: 'KB5034439',
    Description: 'Security Update',
    InstalledOn: '2/14/2024',
  }),
  inst('Win32_QuickFixEngineering', {
    HotFixID: 'KB5031364',
    Description: 'Update',
    InstalledOn: '11/8/2023',
  }),
  inst('Win32_QuickFixEngineering', { HotFixID: 'File 1', Description: null, InstalledOn: null }),
  ...[1, 2].map((n) =>
    inst('Win32_Processor', {
      DeviceID: `CPU${n - 1}`,
      Name: 'Intel(R) Xeon(R) Gold 6326 CPU @ 2.90GHz   ',
      Manufacturer: 'GenuineIntel',
      Caption: 'Intel64 Family 6 Model 106 Stepping 6',
      MaxClockSpeed: 2900,
      NumberOfCores: 2,
      NumberOfLogicalProcessors: 4,
      SocketDesignation: `CPU${n}`,
    }),
  ),
  ...['A1', 'B1'].map((slot) =>
    inst('Win32_PhysicalMemory', {
      BankLabel: null,
      DeviceLocator: slot,
      Capacity: '34359738368',
      Speed: 3200,
      Manufacturer: 'Micron Technology',
      PartNumber: '36ASF4G72PZ-3G2R1',
      SerialNumber: `E1${slot}0C7F`,
    }),
  ),
  inst('Win32_DiskDrive', {
    Index: 1,
    DeviceID: '\\\\.\\PHYSICALDRIVE1',
    Model: 'DELL PERC H755 SCSI Disk Device',
    SerialNumber: '00d6a3c2b1f5e2a42b00c1f04d00e80a',
    Size: '3999688206336',
    InterfaceType: 'SCSI',
    MediaType: 'Fixed hard disk media',
    FirmwareRevision: '5.16',
  }),
  inst('Win32_DiskDrive', {
    Index: 0,
    DeviceID: '\\\\.\\PHYSICALDRIVE0',
    Model: 'DELL BOSS-S2 SCSI Disk Device',
    SerialNumber: 'a8f3c21e9b5d4c70',
    Size: '479987600896',
    InterfaceType: 'SCSI',
    MediaType: 'Fixed hard disk media',
    FirmwareRevision: '2.5.13',
  }),
  inst('Win32_LogicalDisk', {
    DeviceID: 'C:',
    DriveType: 3,
    FileSystem: 'NTFS',
    Size: '479337680896',
    FreeSpace: '301225406464',
    VolumeName: 'System',
    VolumeSerialNumber: '4A1B2C3D',
    ProviderName: null,
  }),
  inst('Win32_LogicalDisk', {
    DeviceID: 'E:',
    DriveType: 3,
    FileSystem: 'ReFS',
    Size: '3999651463168',
    FreeSpace: '2811523432448',
    VolumeName: 'SQLData',
    VolumeSerialNumber: '9E8D7C6B',
    ProviderName: null,
  }),
  inst('Win32_LogicalDisk', {
    DeviceID: 'D:',
    DriveType: 5,
    FileSystem: null,
    Size: null,
    FreeSpace: null,
    VolumeName: null,
    VolumeSerialNumber: null,
    ProviderName: null,
  }),
  inst('Win32_LogicalDisk', {
    DeviceID: 'Z:',
    DriveType: 4,
    FileSystem: 'NTFS',
    Size: '1099511627776',
    FreeSpace: '549755813888',
    VolumeName: 'Teams',
    VolumeSerialNumber: '1A2B3C4D',
    ProviderName: '\\\\files.corp.nopelab.test\\teams',
  }),
  inst('Win32_NetworkAdapterConfiguration', {
    Index: 1,
    InterfaceIndex: 6,
    Description:
      'Broadcom NetXtreme E-Series Advanced Dual-port 25Gb SFP28 Ethernet OCP 3.0 Adapter',
    MACAddress: 'B4:96:91:A2:3C:10',
    IPAddress: ['10.20.0.15', 'fe80::5d2a:61b1:8c4e:2f10'],
    IPSubnet: ['255.255.255.0', '64'],
    DefaultIPGateway: ['10.20.0.1'],
    DHCPEnabled: false,
    DHCPServer: null,
    DNSServerSearchOrder: ['10.20.0.2', '10.20.0.3'],
    DNSDomain: DOMAIN_DNS,
    DNSHostName: HOST,
    IPEnabled: true,
  }),
  inst('Win32_NetworkAdapterConfiguration', {
    Index: 2,
    InterfaceIndex: 7,
    Description:
      'Broadcom NetXtreme E-Series Advanced Dual-port 25Gb SFP28 Ethernet OCP 3.0 Adapter #2',
    MACAddress: 'B4:96:91:A2:3C:11',
    IPAddress: null,
    IPSubnet: null,
    DefaultIPGateway: null,
    DHCPEnabled: true,
    DHCPServer: null,
    DNSServerSearchOrder: null,
    DNSDomain: null,
    DNSHostName: null,
    IPEnabled: false,
  }),
  inst('Win32_NetworkAdapterConfiguration', {
    Index: 3,
    InterfaceIndex: 9,
    Description: 'vmxnet3 Ethernet Adapter (management)',
    MACAddress: '00:50:56:8F:12:34',
    IPAddress: ['192.168.50.15'],
    IPSubnet: ['255.255.255.0'],
    DefaultIPGateway: null,
    DHCPEnabled: true,
    DHCPServer: '192.168.50.1',
    DNSServerSearchOrder: ['192.168.50.1'],
    DNSDomain: null,
    DNSHostName: HOST,
    IPEnabled: true,
  }),
  ...(
    [
      [
        'BITS',
        'Background Intelligent Transfer Service',
        'Start Pending',
        'Manual',
        'LocalSystem',
        'C:\\Windows\\System32\\svchost.exe -k netsvcs -p',
        0,
      ],
      [
        'MSSQLSERVER',
        'SQL Server (MSSQLSERVER)',
        'Running',
        'Auto',
        'NT Service\\MSSQLSERVER',
        '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
        3344,
      ],
      [
        'MSSQL$REPORTING',
        'SQL Server (REPORTING)',
        'Stopped',
        'Manual',
        'NT Service\\MSSQL$REPORTING',
        '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.REPORTING\\MSSQL\\Binn\\sqlservr.exe" -sREPORTING',
        0,
      ],
      [
        'SQLSERVERAGENT',
        'SQL Server Agent (MSSQLSERVER)',
        'Stopped',
        'Manual',
        'NT Service\\SQLSERVERAGENT',
        '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\SQLAGENT.EXE" -i MSSQLSERVER',
        0,
      ],
      [
        'Spooler',
        'Print Spooler',
        'Running',
        'Auto',
        'LocalSystem',
        'C:\\Windows\\System32\\spoolsv.exe',
        2140,
      ],
      [
        'W32Time',
        'Windows Time',
        'Stopped',
        'Disabled',
        'NT AUTHORITY\\LocalService',
        'C:\\Windows\\system32\\svchost.exe -k LocalService',
        0,
      ],
      [
        'WinRM',
        'Windows Remote Management (WS-Management)',
        'Running',
        'Auto',
        'NT AUTHORITY\\NetworkService',
        'C:\\Windows\\System32\\svchost.exe -k NetworkService -p',
        1200,
      ],
    ] as const
  ).map(([Name, DisplayName, State, StartMode, StartName, PathName, ProcessId]) =>
    inst('Win32_Service', { Name, DisplayName, State, StartMode, StartName, PathName, ProcessId }),
  ),
  ...(
    [
      [0, 0, 'System Idle Process', null, null, null, '8192', 0],
      [4, 0, 'System', null, null, null, '159744', 0],
      [
        1200,
        716,
        'svchost.exe',
        'C:\\Windows\\System32\\svchost.exe -k NetworkService -p',
        'C:\\Windows\\System32\\svchost.exe',
        '20241120071512.123456+060',
        '24576000',
        0,
      ],
      [
        2140,
        716,
        'spoolsv.exe',
        'C:\\Windows\\System32\\spoolsv.exe',
        'C:\\Windows\\System32\\spoolsv.exe',
        '20241120071530.000000+060',
        '18350080',
        0,
      ],
      [
        3344,
        716,
        'sqlservr.exe',
        '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
        'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
        '20241120071545.000000+060',
        '4294967296',
        0,
      ],
      [
        5120,
        4988,
        'explorer.exe',
        'C:\\Windows\\Explorer.EXE',
        'C:\\Windows\\explorer.exe',
        '20241125083001.250000+060',
        '112640000',
        2,
      ],
      [
        6000,
        5120,
        'powershell.exe',
        '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoLogo',
        'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        '20241125090000.000000+060',
        '86016000',
        2,
      ],
    ] as const
  ).map(([pid, ppid, Name, CommandLine, ExecutablePath, CreationDate, WorkingSetSize, SessionId]) =>
    inst('Win32_Process', {
      ProcessId: pid,
      ParentProcessId: ppid,
      Name,
      CommandLine,
      ExecutablePath,
      CreationDate,
      WorkingSetSize,
      SessionId,
      KernelModeTime: String(pid * 1_000_000),
      UserModeTime: String(pid * 3_000_000),
    }),
  ),
  ...(
    [
      ['999', 0],
      ['996', 5],
      ['80001', 5],
      ['123456', 10],
    ] as const
  ).map(([LogonId, LogonType]) => inst('Win32_LogonSession', { LogonId, LogonType })),
  ...(
    [
      ['NT AUTHORITY', 'SYSTEM', '999'],
      ['NT AUTHORITY', 'NETWORK SERVICE', '996'],
      ['NT Service', 'MSSQLSERVER', '80001'],
      ['CORP', 'alice', '123456'],
    ] as const
  ).map(([d, n, id]) =>
    inst('Win32_LoggedOnUser', { Antecedent: account(d, n), Dependent: session(id) }),
  ),
  ...(
    [
      ['999', 2140],
      ['996', 1200],
      ['80001', 3344],
      ['123456', 5120],
      ['123456', 6000],
    ] as const
  ).map(([id, pid]) =>
    inst('Win32_SessionProcess', { Antecedent: session(id), Dependent: proc(pid) }),
  ),
  ...(
    [
      [
        'Administrator',
        500,
        'Built-in account for administering the computer/domain',
        false,
        false,
        true,
      ],
      ['Guest', 501, 'Built-in account for guest access to the computer/domain', true, false, true],
      ['labops', 1002, 'Operations (locked after tests)', false, true, true],
      ['labsvc', 1001, 'Lab service account', false, false, true],
    ] as const
  ).map(([Name, rid, Description, Disabled, Lockout, LocalAccount]) =>
    inst('Win32_UserAccount', {
      Name,
      Domain: HOST,
      SID: `${MACHINE_SID}-${rid}`,
      FullName: Name === 'labsvc' ? 'Lab Service' : null,
      Description,
      Disabled,
      Lockout,
      LocalAccount,
    }),
  ),
  inst('Win32_UserAccount', {
    Name: 'alice',
    Domain: 'CORP',
    SID: 'S-1-5-21-3623811015-3361044348-30300820-1104',
    FullName: 'Alice Example',
    Description: null,
    Disabled: false,
    Lockout: false,
    LocalAccount: false,
  }),
  ...(
    [
      [
        'Administrators',
        'S-1-5-32-544',
        'Administrators have complete and unrestricted access to the computer/domain',
        true,
      ],
      [
        'Remote Desktop Users',
        'S-1-5-32-555',
        'Members in this group are granted the right to logon remotely',
        true,
      ],
      [
        'Users',
        'S-1-5-32-545',
        'Users are prevented from making accidental or intentional system-wide changes',
        true,
      ],
      ['labapps', `${MACHINE_SID}-1003`, 'Lab application owners', true],
    ] as const
  ).map(([Name, SID, Description, LocalAccount]) =>
    inst('Win32_Group', { Name, Domain: HOST, SID, Description, LocalAccount }),
  ),
  inst('Win32_Group', {
    Name: 'Domain Admins',
    Domain: 'CORP',
    SID: 'S-1-5-21-3623811015-3361044348-30300820-512',
    Description: null,
    LocalAccount: false,
  }),
  ...(
    [
      ['Administrators', HOST, 'Administrator'],
      ['Administrators', 'CORP', 'Domain Admins'],
      ['Remote Desktop Users', 'CORP', 'alice'],
      ['Users', HOST, 'labsvc'],
      ['Users', 'NT AUTHORITY', 'INTERACTIVE'],
      ['labapps', HOST, 'labops'],
      ['labapps', HOST, 'labsvc'],
    ] as const
  ).map(([g, d, n]) =>
    inst('Win32_GroupUser', {
      GroupComponent: group(g),
      PartComponent: ref(
        n === 'Domain Admins' ? 'Win32_Group' : 'Win32_UserAccount',
        `Domain="${d}",Name="${n}"`,
      ),
    }),
  ),
  inst('Win32_GroupUser', {
    GroupComponent: ref('Win32_Group', 'Domain="CORP",Name="Domain Admins"'),
    PartComponent: ref('Win32_UserAccount', 'Domain="CORP",Name="alice"'),
  }),
  ...(
    [
      ['ADMIN$', 2147483648, 'Remote Admin', 'C:\\Windows'],
      ['C$', 2147483648, 'Default share', 'C:\\'],
      ['Data', 0, 'Team data', 'E:\\Data'],
      ['IPC$', 2147483651, 'Remote IPC', null],
    ] as const
  ).map(([Name, Type, Description, Path]) =>
    inst('Win32_Share', { Name, Type, Description, Path }),
  ),
];

const standardCimv2: CimObject[] = [
  ...(
    [
      ['0.0.0.0', 135, '0.0.0.0', 0, 2, 1200],
      ['0.0.0.0', 445, '0.0.0.0', 0, 2, 4],
      ['0.0.0.0', 1433, '0.0.0.0', 0, 2, 3344],
      ['::', 5985, '::', 0, 2, 4],
      ['10.20.0.15', 1433, '10.20.0.40', 51234, 5, 3344],
      ['10.20.0.15', 49710, '10.20.0.2', 389, 5, 1200],
      ['10.20.0.15', 49712, '10.20.0.9', 443, 11, 0],
    ] as const
  ).map(([LocalAddress, LocalPort, RemoteAddress, RemotePort, State, OwningProcess]) =>
    inst('MSFT_NetTCPConnection', {
      LocalAddress,
      LocalPort,
      RemoteAddress,
      RemotePort,
      State,
      OwningProcess,
    }),
  ),
  ...(
    [
      ['0.0.0.0', 123, 1200],
      ['::', 5353, 1200],
    ] as const
  ).map(([LocalAddress, LocalPort, OwningProcess]) =>
    inst('MSFT_NetUDPEndpoint', { LocalAddress, LocalPort, OwningProcess }),
  ),
];

/** The machine's instances by namespace (lower-case, `/`-separated). */
export const WINDOWS_CIM_HOST: Readonly<Record<string, readonly CimObject[]>> = {
  'root/cimv2': cimv2,
  'root/standardcimv2': standardCimv2,
};

/** `root\cimv2`, `//./root/cimv2`, `root/StandardCimv2` → `root/cimv2`, `root/standardcimv2`. */
export function namespaceKey(namespace: string): string {
  return namespace
    .replace(/\\/g, '/')
    .replace(/^\/\/[^/]*\//, '')
    .toLowerCase();
}

function literal(text: string): string | number | boolean {
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  if (/^-?\d+$/.test(text)) return Number(text);
  return text.replace(/^(['"])(.*)\1$/, '$2');
}

/**
 * The fixture's answer to `wql` in `namespace`: `SELECT * FROM Class [WHERE Prop = literal]`
 * (class and property names case-insensitive, as WMI's); undefined for anything else or an
 * unknown namespace/class (the peers answer that as an invalid query).
 */
export function selectFromFixture(
  namespace: string,
  wql: string,
  host: Readonly<Record<string, readonly CimObject[]>> = WINDOWS_CIM_HOST,
): CimObject[] | undefined {
  const objects = host[namespaceKey(namespace)];
  const m = /^SELECT \* FROM (\w+)(?: WHERE (\w+) = (TRUE|FALSE|-?\d+|'[^']*'|"[^"]*"))?$/i.exec(
    wql.trim(),
  );
  if (!objects || !m) return undefined;
  const cls = m[1]!.toLowerCase();
  const of = objects.filter((o) => o.className.toLowerCase() === cls);
  if (of.length === 0 && !TYPES.has(m[1]!)) return undefined;
  if (!m[2]) return of;
  const want = literal(m[3]!);
  return of.filter((o) => {
    const prop = Object.entries(o.properties).find(
      ([k]) => k.toLowerCase() === m[2]!.toLowerCase(),
    );
    return prop !== undefined && prop[1].value === want;
  });
}

/** The object as Windows' WMI service encodes it for IEnumWbemClassObject::Next (MS-WMIO). */
export function wmioUnit(o: CimObject, namespace: string): Buffer {
  const values = Object.fromEntries(Object.entries(o.properties).map(([k, p]) => [k, p.value]));
  return encodeInstanceUnit(classDefOf(o), values, {
    decoration: { server: HOST, namespace: namespace.replace(/\//g, '\\').toUpperCase() },
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** DMTF `yyyymmddHHMMSS.ffffff+UUU` → xs:dateTime with the same local time and offset. */
function isoFromDmtf(dmtf: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(dmtf);
  if (!m) throw new Error(`fixture: not a DMTF timestamp: ${dmtf}`);
  const off = Number(m[9]);
  const hhmm = `${String(Math.floor(off / 60)).padStart(2, '0')}:${String(off % 60).padStart(2, '0')}`;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}${m[8]}${hhmm}`;
}

/** A WMI object path as the endpoint reference WinRM sends for a reference property. */
function epr(path: string): string {
  const r = parseCimRef(path);
  if (!r) throw new Error(`fixture: not an object path: ${path}`);
  const selectors = Object.entries(r.keys)
    .map(([k, v]) => `<w:Selector Name="${k}">${esc(v)}</w:Selector>`)
    .join('');
  return (
    `<a:Address>${NS.a}/role/anonymous</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>${wmiResourceUri('root/cimv2', r.className)}</w:ResourceURI>` +
    `<w:SelectorSet>${selectors}</w:SelectorSet></a:ReferenceParameters>`
  );
}

function xmlValue(p: CimProperty, v: CimScalar): string {
  if (p.cimType === 'datetime') {
    const dt = v as { dmtf: string };
    return `<cim:Datetime>${isoFromDmtf(dt.dmtf)}</cim:Datetime>`;
  }
  if (p.cimType === 'reference') return epr(String(v));
  return esc(String(v));
}

/** The object as a WinRM Enumerate/Pull item (`<p:Class>` with one element per property). */
export function wsmanXml(o: CimObject, namespace: string): string {
  const open =
    `<p:${o.className} xmlns:p="${wmiResourceUri(namespace, o.className)}" ` +
    `xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="${NS.a}" xmlns:w="${NS.w}">`;
  let body = '';
  for (const [name, p] of Object.entries(o.properties)) {
    const values = p.value === null ? [] : Array.isArray(p.value) ? p.value : [p.value];
    if (values.length === 0) body += `<p:${name} xsi:nil="true"/>`;
    for (const v of values) body += `<p:${name}>${xmlValue(p, v)}</p:${name}>`;
  }
  return `${open}${body}</p:${o.className}>`;
}

/** `serve` for the DCOM/WMI peer: the fixture's objects, WMIO-encoded. */
export function serveWmio(host = WINDOWS_CIM_HOST) {
  return (namespace: string, wql: string): Buffer[] | undefined =>
    selectFromFixture(namespace, wql, host)?.map((o) => wmioUnit(o, namespaceKey(namespace)));
}

/** `serve` for the WS-Man peer: the fixture's objects as XML items. */
export function serveWsman(host = WINDOWS_CIM_HOST) {
  return (namespace: string, wql: string): string[] | undefined =>
    selectFromFixture(namespace, wql, host)?.map((o) => wsmanXml(o, namespace));
}

/** The namespaces NTLMLogin must accept on the DCOM peer. */
export const FIXTURE_NAMESPACES = ['//./root/cimv2', '//./root/StandardCimv2'];
