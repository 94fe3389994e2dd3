// A domain-joined Windows Server 2022 as the port would return it. Hand-written from the key and
// value names Windows Server 2022 uses (see SOURCES.md); the values are illustrative.
import type { RecordedHost } from '../fake-remote.js';

const UNINSTALL = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const UNINSTALL32 = 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const CBS = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';
const sz = (name: string, data: string) => ({ name, type: 1, data });
const dword = (name: string, data: number) => ({ name, type: 4, data });

export const MACHINE_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const DOMAIN_SID = 'S-1-5-21-3623811015-3361044348-30300820';

export const server2022: RecordedHost = {
  registry: {
    'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion': {
      values: [
        sz('ProductName', 'Windows Server 2022 Standard'),
        sz('DisplayVersion', '21H2'),
        sz('CurrentBuild', '20348'),
        sz('CurrentBuildNumber', '20348'),
        dword('UBR', 2340),
        sz('EditionID', 'ServerStandard'),
        sz('InstallationType', 'Server'),
        dword('InstallDate', 1700000000),
        sz('RegisteredOwner', 'Windows User'),
        sz('RegisteredOrganization', ''),
        sz('CurrentVersion', '6.3'),
        dword('CurrentMajorVersionNumber', 10),
        dword('CurrentMinorVersionNumber', 0),
        sz('SystemRoot', 'C:\\Windows'),
      ],
    },
    'SYSTEM\\CurrentControlSet\\Control\\ProductOptions': { values: [sz('ProductType', 'ServerNT')] },
    'SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters': {
      values: [sz('Hostname', 'APP01'), sz('Domain', 'corp.example.com')],
    },
    [UNINSTALL]: {
      subkeys: [
        '7-Zip',
        '{90160000-008C-0000-1000-0000000FF1CE}',
        '{AC76BA86-7AD7-1033-7B44-AC0F074E4100}',
        'Connection Manager',
        'KB5002100_Office',
        'Update-no-kb',
      ],
    },
    [`${UNINSTALL}\\7-Zip`]: {
      values: [
        sz('DisplayName', '7-Zip 23.01 (x64)'),
        sz('DisplayVersion', '23.01'),
        sz('Publisher', 'Igor Pavlov'),
        sz('InstallLocation', 'C:\\Program Files\\7-Zip\\'),
      ],
    },
    [`${UNINSTALL}\\{90160000-008C-0000-1000-0000000FF1CE}`]: {
      values: [
        sz('DisplayName', 'Office 16 Click-to-Run Extensibility Component'),
        dword('SystemComponent', 1),
        dword('WindowsInstaller', 1),
      ],
    },
    [`${UNINSTALL}\\{AC76BA86-7AD7-1033-7B44-AC0F074E4100}`]: {
      values: [
        sz('DisplayName', 'Microsoft Edge'),
        sz('DisplayVersion', '120.0.2210.91'),
        sz('Publisher', 'Microsoft Corporation'),
        sz('InstallDate', '20231219'),
        dword('WindowsInstaller', 1),
      ],
    },
    [`${UNINSTALL}\\Connection Manager`]: { values: [dword('SystemComponent', 0)] },
    [`${UNINSTALL}\\KB5002100_Office`]: {
      values: [
        sz('DisplayName', 'Security Update for Microsoft Office 2016 (KB5002100) 64-Bit Edition'),
        sz('ParentKeyName', 'Office16.PROPLUS'),
        sz('ReleaseType', 'Security Update'),
        sz('InstallDate', '20231115'),
      ],
    },
    [`${UNINSTALL}\\Update-no-kb`]: {
      values: [sz('DisplayName', 'Definition update'), sz('ReleaseType', 'Update')],
    },
    [UNINSTALL32]: { subkeys: ['Notepad++', 'Java8'] },
    [`${UNINSTALL32}\\Notepad++`]: {
      values: [
        sz('DisplayName', 'Notepad++ (32-bit x86)'),
        sz('DisplayVersion', '8.6.2'),
        sz('Publisher', 'Notepad++ Team'),
      ],
    },
    [`${UNINSTALL32}\\Java8`]: {
      values: [
        sz('DisplayName', 'Java 8 Update 391'),
        sz('DisplayVersion', '8.0.3910.13'),
        sz('Publisher', 'Oracle Corporation'),
        sz('InstallDate', '20231020'),
      ],
    },
    [CBS]: {
      subkeys: [
        'Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1',
        'Package_1_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1',
        'Package_for_RollupFix~31bf3856ad364e35~amd64~~20348.2340.1.6',
        'Package_for_KB5031364~31bf3856ad364e35~amd64~~20348.2031.1.2',
        'Package_for_KB5012170~31bf3856ad364e35~amd64~~20348.880.1.1',
      ],
    },
    [`${CBS}\\Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1`]: {
      values: [dword('CurrentState', 0x70), dword('InstallTimeHigh', 0x01da4bd4), dword('InstallTimeLow', 0x8ab5e600)],
    },
    [`${CBS}\\Package_for_KB5031364~31bf3856ad364e35~amd64~~20348.2031.1.2`]: {
      values: [dword('CurrentState', 0x70)],
    },
    // Superseded (0x50 staged): not installed any more.
    [`${CBS}\\Package_for_KB5012170~31bf3856ad364e35~amd64~~20348.880.1.1`]: {
      values: [dword('CurrentState', 0x50)],
    },
    'HARDWARE\\DESCRIPTION\\System\\CentralProcessor': { subkeys: ['0', '1', '2', '3'] },
    'HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0': {
      values: [
        sz('ProcessorNameString', 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz      '),
        sz('VendorIdentifier', 'GenuineIntel'),
        sz('Identifier', 'Intel64 Family 6 Model 85 Stepping 7'),
        dword('~MHz', 2095),
      ],
    },
    'HARDWARE\\DESCRIPTION\\System\\BIOS': {
      values: [
        sz('SystemManufacturer', 'VMware, Inc.'),
        sz('SystemProductName', 'VMware7,1'),
        sz('BIOSVendor', 'VMware, Inc.'),
        sz('BIOSVersion', 'VMW71.00V.21100432.B64.2301110304'),
        sz('BIOSReleaseDate', '01/11/2023'),
      ],
    },
  },
  services: [
    { name: 'W32Time', displayName: 'Windows Time', state: 4, startType: 3, account: 'NT AUTHORITY\\LocalService', binaryPath: 'C:\\Windows\\system32\\svchost.exe -k LocalService', processId: 1324 },
    { name: 'Spooler', displayName: 'Print Spooler', state: 1, startType: 4, account: 'LocalSystem', binaryPath: 'C:\\Windows\\System32\\spoolsv.exe', processId: 0 },
    { name: 'wuauserv', displayName: 'Windows Update', state: 2, startType: 3, account: 'LocalSystem', binaryPath: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p', processId: 0 },
  ],
  accounts: {
    accountDomain: { name: 'APP01', sid: MACHINE_SID },
    users: {
      items: [
        { name: 'Administrator', rid: 500, fullName: null, description: 'Built-in account for administering the computer/domain', accountControl: 0x210 },
        { name: 'Guest', rid: 501, fullName: null, description: 'Built-in account for guest access to the computer/domain', accountControl: 0x215 },
        { name: 'svc-backup', rid: 1001, fullName: 'Backup service', description: null, accountControl: 0x410 },
      ],
      truncated: false,
    },
    groups: {
      items: [
        {
          name: 'Administrators',
          sid: 'S-1-5-32-544',
          domain: 'BUILTIN',
          description: 'Administrators have complete and unrestricted access to the computer/domain',
          members: [
            { sid: `${MACHINE_SID}-500`, name: 'Administrator', domain: 'APP01' },
            { sid: `${DOMAIN_SID}-512`, name: 'Domain Admins', domain: 'CORP' },
            { sid: `${DOMAIN_SID}-1187`, name: null, domain: null },
          ],
        },
        {
          name: 'Backup Operators',
          sid: 'S-1-5-32-551',
          domain: 'BUILTIN',
          description: null,
          members: [{ sid: `${MACHINE_SID}-1001`, name: 'svc-backup', domain: 'APP01' }],
        },
        {
          name: 'Users',
          sid: 'S-1-5-32-545',
          domain: 'BUILTIN',
          description: null,
          members: [
            { sid: 'S-1-5-4', name: 'INTERACTIVE', domain: 'NT AUTHORITY' },
            { sid: `${DOMAIN_SID}-513`, name: 'Domain Users', domain: 'CORP' },
          ],
        },
      ],
      truncated: false,
    },
  },
  membership: {
    primaryDomain: { name: 'CORP', sid: DOMAIN_SID },
    accountDomain: { name: 'APP01', sid: MACHINE_SID },
  },
  shares: [
    { name: 'ADMIN$', type: 0x80000000, remark: 'Remote Admin' },
    { name: 'C$', type: 0x80000000, remark: 'Default share' },
    { name: 'IPC$', type: 0x80000003, remark: 'Remote IPC' },
    { name: 'Reports', type: 0, remark: '' },
  ],
  server: { name: 'APP01', platformId: 500, versionMajor: 10, versionMinor: 0, type: 0x9003, comment: '' },
  workstation: { computerName: 'APP01', langroup: 'CORP' },
  logons: [{ user: 'alice', domain: 'CORP' }],
};
