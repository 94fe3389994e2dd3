// The CIM classes the WMI and WinRM paths read: the namespace and WQL of each query, and the CIM
// types of the properties used (what WinRM needs to type its XML; WMI objects carry their types).
import type { CimSchema } from '../../transports/wsman/wsman-response.js';
import type { CimType } from '../../transports/wmio/cim-object.js';

export const CIMV2 = 'root/cimv2';
export const STANDARD_CIMV2 = 'root/StandardCimv2';

type Props = Record<string, CimType | `${CimType}[]`>;

/** One query: where, what, and the properties' CIM types (MOF of each class). */
export interface CimQuery {
  namespace: string;
  className: string;
  wql: string;
  properties: Props;
}

function q(className: string, properties: Props, where?: string, namespace = CIMV2): CimQuery {
  return {
    namespace,
    className,
    wql: `SELECT * FROM ${className}${where ? ` WHERE ${where}` : ''}`,
    properties,
  };
}

const ACCOUNT_REF = { Antecedent: 'reference', Dependent: 'reference' } as const;

/** Every query the CIM collector runs, by a short name. */
export const CIM_QUERIES = {
  computerSystem: q('Win32_ComputerSystem', {
    Name: 'string',
    DNSHostName: 'string',
    Domain: 'string',
    Workgroup: 'string',
    PartOfDomain: 'boolean',
    DomainRole: 'uint16',
    Manufacturer: 'string',
    Model: 'string',
    SystemFamily: 'string',
    SystemSKUNumber: 'string',
    TotalPhysicalMemory: 'uint64',
    NumberOfProcessors: 'uint32',
    NumberOfLogicalProcessors: 'uint32',
  }),
  product: q('Win32_ComputerSystemProduct', {
    UUID: 'string',
    IdentifyingNumber: 'string',
    Vendor: 'string',
    Name: 'string',
  }),
  bios: q('Win32_BIOS', {
    Manufacturer: 'string',
    SMBIOSBIOSVersion: 'string',
    Version: 'string',
    ReleaseDate: 'datetime',
    SerialNumber: 'string',
  }),
  baseBoard: q('Win32_BaseBoard', { Manufacturer: 'string', Product: 'string' }),
  operatingSystem: q('Win32_OperatingSystem', {
    Caption: 'string',
    Version: 'string',
    BuildNumber: 'string',
    CSDVersion: 'string',
    OSArchitecture: 'string',
    ProductType: 'uint32',
    InstallDate: 'datetime',
    LastBootUpTime: 'datetime',
    RegisteredUser: 'string',
    Organization: 'string',
    WindowsDirectory: 'string',
    TotalVisibleMemorySize: 'uint64',
  }),
  quickFixes: q('Win32_QuickFixEngineering', {
    HotFixID: 'string',
    Description: 'string',
    InstalledOn: 'string',
  }),
  processors: q('Win32_Processor', {
    DeviceID: 'string',
    Name: 'string',
    Manufacturer: 'string',
    Caption: 'string',
    MaxClockSpeed: 'uint32',
    NumberOfCores: 'uint32',
    NumberOfLogicalProcessors: 'uint32',
    SocketDesignation: 'string',
  }),
  memory: q('Win32_PhysicalMemory', {
    BankLabel: 'string',
    DeviceLocator: 'string',
    Capacity: 'uint64',
    Speed: 'uint32',
    Manufacturer: 'string',
    PartNumber: 'string',
    SerialNumber: 'string',
  }),
  disks: q('Win32_DiskDrive', {
    Index: 'uint32',
    DeviceID: 'string',
    Model: 'string',
    SerialNumber: 'string',
    Size: 'uint64',
    InterfaceType: 'string',
    MediaType: 'string',
    FirmwareRevision: 'string',
  }),
  logicalDisks: q('Win32_LogicalDisk', {
    DeviceID: 'string',
    DriveType: 'uint32',
    FileSystem: 'string',
    Size: 'uint64',
    FreeSpace: 'uint64',
    VolumeName: 'string',
    VolumeSerialNumber: 'string',
    ProviderName: 'string',
  }),
  nics: q(
    'Win32_NetworkAdapterConfiguration',
    {
      Index: 'uint32',
      InterfaceIndex: 'uint32',
      Description: 'string',
      MACAddress: 'string',
      IPAddress: 'string[]',
      IPSubnet: 'string[]',
      DefaultIPGateway: 'string[]',
      DHCPEnabled: 'boolean',
      DHCPServer: 'string',
      DNSServerSearchOrder: 'string[]',
      DNSDomain: 'string',
      DNSHostName: 'string',
      IPEnabled: 'boolean',
    },
    'IPEnabled = TRUE',
  ),
  services: q('Win32_Service', {
    Name: 'string',
    DisplayName: 'string',
    State: 'string',
    StartMode: 'string',
    StartName: 'string',
    PathName: 'string',
    ProcessId: 'uint32',
  }),
  processes: q('Win32_Process', {
    ProcessId: 'uint32',
    ParentProcessId: 'uint32',
    Name: 'string',
    CommandLine: 'string',
    ExecutablePath: 'string',
    CreationDate: 'datetime',
    WorkingSetSize: 'uint64',
    SessionId: 'uint32',
    KernelModeTime: 'uint64',
    UserModeTime: 'uint64',
  }),
  sessionProcesses: q('Win32_SessionProcess', ACCOUNT_REF),
  loggedOnUsers: q('Win32_LoggedOnUser', ACCOUNT_REF),
  logonSessions: q('Win32_LogonSession', { LogonId: 'string', LogonType: 'uint32' }),
  users: q(
    'Win32_UserAccount',
    {
      Name: 'string',
      Domain: 'string',
      SID: 'string',
      FullName: 'string',
      Description: 'string',
      Disabled: 'boolean',
      Lockout: 'boolean',
      LocalAccount: 'boolean',
    },
    'LocalAccount = TRUE',
  ),
  groups: q(
    'Win32_Group',
    {
      Name: 'string',
      Domain: 'string',
      SID: 'string',
      Description: 'string',
      LocalAccount: 'boolean',
    },
    'LocalAccount = TRUE',
  ),
  groupMembers: q('Win32_GroupUser', { GroupComponent: 'reference', PartComponent: 'reference' }),
  shares: q('Win32_Share', {
    Name: 'string',
    Type: 'uint32',
    Description: 'string',
    Path: 'string',
  }),
  tcp: q(
    'MSFT_NetTCPConnection',
    {
      LocalAddress: 'string',
      LocalPort: 'uint16',
      RemoteAddress: 'string',
      RemotePort: 'uint16',
      State: 'uint8',
      OwningProcess: 'uint32',
    },
    undefined,
    STANDARD_CIMV2,
  ),
  udp: q(
    'MSFT_NetUDPEndpoint',
    { LocalAddress: 'string', LocalPort: 'uint16', OwningProcess: 'uint32' },
    undefined,
    STANDARD_CIMV2,
  ),
} as const satisfies Record<string, CimQuery>;

export type CimQueryName = keyof typeof CIM_QUERIES;

/** The classes' property types as the WinRM client wants them. */
export function cimSchema(): CimSchema {
  const schema: CimSchema = {};
  for (const query of Object.values(CIM_QUERIES) as CimQuery[]) {
    const props: CimSchema[string] = {};
    for (const [name, t] of Object.entries(query.properties)) {
      const isArray = t.endsWith('[]');
      props[name] = { cimType: (isArray ? t.slice(0, -2) : t) as CimType, isArray };
    }
    schema[query.className] = props;
  }
  return schema;
}
