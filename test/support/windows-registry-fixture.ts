// Test-only fake of what WMI's StdRegProv and Win32_Process.GetOwner answer on a small Windows
// Server: an HKLM tree (both Uninstall hives with shown, hidden and update entries, OS facts,
// CPUs, BIOS, SQL Server instance names, keys that deny access) and process owners. Both test
// peers serve it: the DCOM peer through GetObject/ExecMethod, the WS-Man peer through Invoke.
import type { RecordedKey } from '../../packages/agent/src/collectors/windows/fake-remote.js';
import { REG, type RegistryValue } from '../../packages/agent/src/collectors/windows/remote.js';
import { decodeObjrefCustom } from '../../packages/agent/src/transports/wmio/wmio-decoder.js';
import {
  type CimValue,
  encodeClassUnit,
  encodeInstanceUnit,
  type WmioClassDef,
  type WmioMethodDef,
  type WmioPropertyDef,
} from '../../packages/agent/src/transports/wmio/wmio-encoder.js';
import { wbemObjref } from '../../packages/agent/src/transports/wmi/exec-method.js';

const UNINSTALL = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const UNINSTALL32 = 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const sz = (name: string, data: string): RegistryValue => ({ name, type: REG.sz, data });
const dword = (name: string, data: number): RegistryValue => ({ name, type: REG.dword, data });

/** Keys by HKLM path; parents list their subkeys explicitly (in the order Windows would). */
export const REGISTRY: Record<string, RecordedKey> = {
  [UNINSTALL]: {
    subkeys: [
      '7-Zip',
      'AddressBook',
      'Connection Manager',
      'KB5034439',
      'NsAgent',
      '{1D8E6291-B0D5-35EC-8441-6616F567A0F7}',
      '{90160000-008C-0000-1000-0000000FF1CE}',
    ],
  },
  [`${UNINSTALL}\\7-Zip`]: {
    values: [
      sz('DisplayName', '7-Zip 23.01 (x64)'),
      sz('DisplayVersion', '23.01'),
      sz('Publisher', 'Igor Pavlov'),
      sz('InstallLocation', 'C:\\Program Files\\7-Zip\\'),
      dword('NoModify', 1),
    ],
  },
  [`${UNINSTALL}\\AddressBook`]: { values: [] },
  [`${UNINSTALL}\\Connection Manager`]: { values: [dword('SystemComponent', 1)] },
  [`${UNINSTALL}\\KB5034439`]: {
    values: [
      sz('DisplayName', 'Security Update for Windows Server (KB5034439)'),
      sz('ParentKeyName', 'OperatingSystem'),
      sz('ReleaseType', 'Security Update'),
      sz('InstallDate', '20240213'),
    ],
  },
  [`${UNINSTALL}\\NsAgent`]: {
    values: [
      sz('DisplayName', 'NopeSight Test Agent'),
      sz('DisplayVersion', '2.4.1'),
      sz('Publisher', 'Ns Labs'),
      sz('InstallDate', '2024-03-01'),
      { name: 'UninstallString', type: REG.expandSz, data: '%ProgramFiles%\\Ns\\uninstall.exe' },
      { name: 'Languages', type: REG.multiSz, data: ['en-US', 'de-DE'] },
      { name: 'InstallBytes', type: REG.qword, data: 9_223_372_036_854_775_813n },
      { name: 'Signature', type: REG.binary, data: Buffer.from('00ff10ab', 'hex') },
      { name: 'Marker', type: REG.none, data: Buffer.alloc(0) },
    ],
  },
  [`${UNINSTALL}\\{1D8E6291-B0D5-35EC-8441-6616F567A0F7}`]: {
    values: [
      sz('DisplayName', 'Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219'),
      sz('DisplayVersion', '10.0.40219'),
      sz('Publisher', 'Microsoft Corporation'),
      sz('InstallDate', '20230514'),
      dword('WindowsInstaller', 1),
      dword('EstimatedSize', 13800),
    ],
  },
  [`${UNINSTALL}\\{90160000-008C-0000-1000-0000000FF1CE}`]: {
    values: [
      sz('DisplayName', 'Office 16 Click-to-Run Extensibility Component'),
      sz('Publisher', 'Microsoft Corporation'),
      dword('SystemComponent', 1),
      dword('WindowsInstaller', 1),
    ],
  },
  [UNINSTALL32]: { subkeys: ['Hidden32', 'Notepad++', 'Übersetzer'] },
  [`${UNINSTALL32}\\Hidden32`]: { values: [sz('QuietDisplayName', 'Hidden helper')] },
  [`${UNINSTALL32}\\Notepad++`]: {
    values: [
      sz('DisplayName', 'Notepad++ (32-bit x86)'),
      sz('DisplayVersion', '8.6.2'),
      sz('Publisher', 'Notepad++ Team'),
    ],
  },
  [`${UNINSTALL32}\\Übersetzer`]: {
    values: [
      sz('DisplayName', 'Übersetzer Pro 日本'),
      sz('DisplayVersion', '1.0'),
      sz('Publisher', 'Größe GmbH & Co. <KG>'),
      sz('InstallDate', '20220301'),
    ],
  },
  'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion': {
    values: [
      sz('ProductName', 'Windows Server 2022 Datacenter'),
      sz('DisplayVersion', '21H2'),
      sz('CurrentBuild', '20348'),
      dword('UBR', 2340),
      sz('EditionID', 'ServerDatacenter'),
      sz('InstallationType', 'Server'),
      dword('InstallDate', 1_673_772_612),
      sz('RegisteredOwner', 'Windows User'),
      dword('CurrentMajorVersionNumber', 10),
      dword('CurrentMinorVersionNumber', 0),
      sz('CurrentVersion', '6.3'),
      sz('SystemRoot', 'C:\\Windows'),
      { name: 'DigitalProductId', type: REG.binary, data: Buffer.from('a4000000030000', 'hex') },
    ],
  },
  'SYSTEM\\CurrentControlSet\\Control\\ProductOptions': {
    values: [
      sz('ProductType', 'ServerNT'),
      { name: 'ProductSuite', type: REG.multiSz, data: ['Enterprise', 'Terminal Server'] },
    ],
  },
  'HARDWARE\\DESCRIPTION\\System\\CentralProcessor': { subkeys: ['0', '1', '2', '3'] },
  ...Object.fromEntries(
    ['0', '1', '2', '3'].map((n) => [
      `HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\${n}`,
      {
        values: [
          sz('ProcessorNameString', 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz'),
          sz('VendorIdentifier', 'GenuineIntel'),
          sz('Identifier', 'Intel64 Family 6 Model 85 Stepping 7'),
          dword('~MHz', 2095),
        ],
      },
    ]),
  ),
  'HARDWARE\\DESCRIPTION\\System\\BIOS': {
    values: [
      sz('BIOSVendor', 'VMware, Inc.'),
      sz('BIOSVersion', 'VMW71.00V.21100432.B64.2301110304'),
      sz('BIOSReleaseDate', '01/11/2023'),
      sz('SystemManufacturer', 'VMware, Inc.'),
      sz('SystemProductName', 'VMware7,1'),
      sz('BaseBoardManufacturer', 'Intel Corporation'),
      sz('BaseBoardProduct', '440BX Desktop Reference Platform'),
    ],
  },
  'SOFTWARE\\Microsoft\\Microsoft SQL Server': {
    subkeys: ['Instance Names'],
    values: [
      { name: 'InstalledInstances', type: REG.multiSz, data: ['MSSQLSERVER', 'SQLEXPRESS'] },
    ],
  },
  'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names': { subkeys: ['SQL'] },
  'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL': {
    values: [sz('MSSQLSERVER', 'MSSQL16.MSSQLSERVER'), sz('SQLEXPRESS', 'MSSQL15.SQLEXPRESS')],
  },
};

/** Keys whose reads StdRegProv refuses with ReturnValue 5. */
export const DENIED_KEYS = ['SECURITY\\Policy\\Secrets', 'SAM\\SAM\\Domains'];

/** Process owners by PID: `denied` answers ReturnValue 2; absent PIDs are not running. */
export const PROCESS_OWNERS: Record<number, { domain: string; user: string } | 'denied' | 'none'> =
  {
    0: 'none',
    4: { domain: 'NT AUTHORITY', user: 'SYSTEM' },
    1234: { domain: 'WIN-SRV01', user: 'Administrator' },
    2222: { domain: 'LAB', user: 'svc.sql' },
    5678: 'denied',
  };

// ---- the WMI classes (signatures as the MOF of StdRegProv and Win32_Process declare them) ---

const param = (
  name: string,
  cimType: WmioPropertyDef['cimType'],
  o: Partial<WmioPropertyDef> = {},
) => ({ name, cimType, ...o }) as WmioPropertyDef;
const HKLM = 0x80000002;
const REG_IN = [param('hDefKey', 'uint32', { default: HKLM }), param('sSubKeyName', 'string')];
const VALUE_IN = [...REG_IN, param('sValueName', 'string')];
const RET = param('ReturnValue', 'uint32');

export const STD_REG_PROV: WmioClassDef = {
  name: 'StdRegProv',
  properties: [],
  methods: [
    { name: 'EnumKey', in: REG_IN, out: [RET, param('sNames', 'string', { isArray: true })] },
    {
      name: 'EnumValues',
      in: REG_IN,
      out: [
        RET,
        param('sNames', 'string', { isArray: true }),
        param('Types', 'sint32', { isArray: true }),
      ],
    },
    { name: 'GetStringValue', in: VALUE_IN, out: [RET, param('sValue', 'string')] },
    { name: 'GetExpandedStringValue', in: VALUE_IN, out: [RET, param('sValue', 'string')] },
    { name: 'GetDWORDValue', in: VALUE_IN, out: [RET, param('uValue', 'uint32')] },
    { name: 'GetQWORDValue', in: VALUE_IN, out: [RET, param('uValue', 'uint64')] },
    {
      name: 'GetMultiStringValue',
      in: VALUE_IN,
      out: [RET, param('sValue', 'string', { isArray: true })],
    },
    {
      name: 'GetBinaryValue',
      in: VALUE_IN,
      out: [RET, param('uValue', 'uint8', { isArray: true })],
    },
  ],
};

export const WIN32_PROCESS: WmioClassDef = {
  name: 'Win32_Process',
  parents: ['CIM_Process', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'],
  properties: [
    param('Handle', 'string', {
      inherited: true,
      qualifiers: [{ name: 'key', cimType: 'boolean', value: true }],
    }),
    param('Name', 'string', { inherited: true }),
    param('ProcessId', 'uint32'),
  ],
  methods: [
    { name: 'GetOwner', in: null, out: [RET, param('User', 'string'), param('Domain', 'string')] },
  ],
};

/** Where each class lives. */
const CLASSES: Record<string, { namespace: string; def: WmioClassDef }> = {
  stdregprov: { namespace: 'root/default', def: STD_REG_PROV },
  win32_process: { namespace: 'root/cimv2', def: WIN32_PROCESS },
};

// ---- the method semantics, shared by both peers --------------------------------------------

const keys = new Map(Object.entries(REGISTRY).map(([k, v]) => [k.toLowerCase(), v]));
const denied = new Set(DENIED_KEYS.map((k) => k.toLowerCase()));
/** Any key above a listed one exists (as in the 445 collector's FakeRemote). */
function keyAt(path: string): RecordedKey | null {
  const p = path.toLowerCase();
  const k = keys.get(p);
  if (k) return k;
  for (const other of keys.keys()) if (other.startsWith(`${p}\\`)) return {};
  return null;
}

export type MethodResult =
  | { kind: 'ok'; out: Record<string, CimValue> }
  | { kind: 'no-instance' }
  | { kind: 'no-class' }
  | { kind: 'no-method' };

/** The getter StdRegProv answers for each REG_* type; a mismatched getter gets ReturnValue 1. */
const GETTER_TYPES: Record<string, number> = {
  getstringvalue: REG.sz,
  getexpandedstringvalue: REG.expandSz,
  getdwordvalue: REG.dword,
  getqwordvalue: REG.qword,
  getmultistringvalue: REG.multiSz,
  getbinaryvalue: REG.binary,
};

function registryMethod(method: string, args: Record<string, CimValue>): MethodResult {
  const ok = (out: Record<string, CimValue>): MethodResult => ({ kind: 'ok', out });
  const rv = (n: number) => ok({ ReturnValue: n });
  const path = String(args['sSubKeyName'] ?? '');
  if (Number(args['hDefKey'] ?? HKLM) !== HKLM) return rv(2);
  if ([...denied].some((d) => path.toLowerCase() === d || path.toLowerCase().startsWith(`${d}\\`)))
    return rv(5);
  const key = keyAt(path);
  const m = method.toLowerCase();
  if (m === 'enumkey') {
    if (!key) return rv(2);
    // Windows answers a key without subkeys with a NULL array.
    return ok({ ReturnValue: 0, sNames: key.subkeys?.length ? key.subkeys : null });
  }
  if (m === 'enumvalues') {
    if (!key) return rv(2);
    const values = key.values ?? [];
    return ok({
      ReturnValue: 0,
      sNames: values.length ? values.map((v) => v.name) : null,
      Types: values.length ? values.map((v) => v.type) : null,
    });
  }
  const want = GETTER_TYPES[m];
  if (want === undefined) return { kind: 'no-method' };
  if (!key) return rv(2);
  const name = String(args['sValueName'] ?? '').toLowerCase();
  const v = key.values?.find((x) => x.name.toLowerCase() === name);
  if (!v) return rv(2);
  if (v.type !== want) return rv(1);
  const d = v.data;
  switch (want) {
    case REG.dword:
      return ok({ ReturnValue: 0, uValue: d as number });
    case REG.qword:
      return ok({ ReturnValue: 0, uValue: String(d) });
    case REG.multiSz:
      return ok({ ReturnValue: 0, sValue: d as string[] });
    case REG.binary:
      return ok({ ReturnValue: 0, uValue: [...(d as Buffer)] });
    default:
      return ok({ ReturnValue: 0, sValue: d as string });
  }
}

/**
 * What the fake host answers to `method` on `className` (an instance when `key` is given) in
 * `namespace` with `args`.
 */
export function callMethod(
  namespace: string,
  className: string,
  key: { name: string; value: string } | null,
  method: string,
  args: Record<string, CimValue>,
): MethodResult {
  const cls = CLASSES[className.toLowerCase()];
  if (!cls || cls.namespace !== normalNamespace(namespace)) return { kind: 'no-class' };
  if (cls.def.name === 'StdRegProv') return registryMethod(method, args);
  if (method.toLowerCase() !== 'getowner') return { kind: 'no-method' };
  if (key?.name.toLowerCase() !== 'handle') return { kind: 'no-instance' };
  const owner = PROCESS_OWNERS[Number(key.value)];
  if (owner === undefined || !/^\d+$/.test(key.value)) return { kind: 'no-instance' };
  if (owner === 'denied') return { kind: 'ok', out: { ReturnValue: 2 } };
  if (owner === 'none') return { kind: 'ok', out: { ReturnValue: 0, User: null, Domain: null } };
  return { kind: 'ok', out: { ReturnValue: 0, User: owner.user, Domain: owner.domain } };
}

function normalNamespace(ns: string): string {
  return ns
    .replace(/\\/g, '/')
    .replace(/^\/\/[^/]*\//, '')
    .toLowerCase();
}

function methodDef(className: string, method: string): WmioMethodDef | undefined {
  return CLASSES[className.toLowerCase()]?.def.methods?.find(
    (m) => m.name.toLowerCase() === method.toLowerCase(),
  );
}

// ---- the DCOM peer's side: classes for GetObject, ExecMethod with WMIO objects ----------------

const WBEM_E_NOT_FOUND = 0x80041002;
const WBEM_E_INVALID_CLASS = 0x80041010;
const WBEM_E_INVALID_METHOD = 0x8004102e;
const WBEM_E_INVALID_OBJECT_PATH = 0x8004103a;

/** The DCOM peer's `methods` option: GetObject and ExecMethod over this fake host. */
export const dcomMethods = {
  /** The class at `path` in `namespace` as GetObject returns it (an OBJREF_CUSTOM), or an HRESULT. */
  getObject(namespace: string, path: string): { object: Buffer } | { hresult: number } {
    const cls = CLASSES[path.toLowerCase()];
    if (!cls || cls.namespace !== normalNamespace(namespace))
      return { hresult: WBEM_E_INVALID_CLASS };
    const deco = { server: 'WIN-SRV01', namespace: namespace.replace(/\//g, '\\').toUpperCase() };
    return { object: wbemObjref(encodeClassUnit(cls.def, { decoration: deco })) };
  },
  /** ExecMethod: the out-parameters object, or an HRESULT. */
  execMethod(
    namespace: string,
    path: string,
    method: string,
    inParams: Buffer | null,
  ): { object: Buffer } | { hresult: number } {
    const m = /^(\w+)(?:\.(\w+)="((?:[^"\\]|\\.)*)")?$/.exec(path);
    if (!m) return { hresult: WBEM_E_INVALID_OBJECT_PATH };
    const [, className, keyName, keyValue] = m as unknown as [string, string, string?, string?];
    const args: Record<string, CimValue> = {};
    if (inParams) {
      for (const [k, p] of Object.entries(decodeObjrefCustom(inParams).properties))
        args[k] = p.value;
    }
    const key = keyName ? { name: keyName, value: (keyValue ?? '').replace(/\\(.)/g, '$1') } : null;
    const r = callMethod(namespace, className, key, method, args);
    if (r.kind === 'no-class') return { hresult: WBEM_E_INVALID_CLASS };
    if (r.kind === 'no-method') return { hresult: WBEM_E_INVALID_METHOD };
    if (r.kind === 'no-instance') return { hresult: WBEM_E_NOT_FOUND };
    const def = methodDef(className, method)!;
    const unit = encodeInstanceUnit({ name: '__PARAMETERS', properties: def.out ?? [] }, r.out);
    return { object: wbemObjref(unit) };
  },
};

// ---- the WS-Man peer's side: Invoke with XML -------------------------------------------------

const escXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The WS-Man peer's `invoke` option: an Invoke over this fake host, as XML or a fault subcode. */
export function wsmanInvoke(req: {
  resourceUri: string;
  method: string;
  selectors: Record<string, string>;
  input: Record<string, string | string[]>;
}): { xml: string } | { fault: string } {
  const m = /^http:\/\/schemas\.microsoft\.com\/wbem\/wsman\/1\/wmi\/(.+)\/(\w+)$/.exec(
    req.resourceUri,
  );
  if (!m) return { fault: 'DestinationUnreachable' };
  const [, namespace, className] = m as unknown as [string, string, string];
  const def = methodDef(className, req.method);
  // WinRM's own typing of the input: by the method's in-signature.
  const args: Record<string, CimValue> = {};
  for (const [k, v] of Object.entries(req.input)) {
    const p = def?.in?.find((x) => x.name === k);
    const typed = (s: string) => (p && p.cimType !== 'string' ? Number(s) : s);
    args[k] = Array.isArray(v) ? v.map(typed) : typed(v);
  }
  const sel = Object.entries(req.selectors)[0];
  const r = callMethod(
    namespace,
    className,
    sel ? { name: sel[0], value: sel[1] } : null,
    req.method,
    args,
  );
  if (r.kind === 'no-class') return { fault: 'DestinationUnreachable' };
  if (r.kind === 'no-method') return { fault: 'ActionNotSupported' };
  if (r.kind === 'no-instance') return { fault: 'InvalidSelectors' };
  const body = Object.entries(r.out)
    .map(([k, v]) => {
      if (v === null) return '';
      const items = Array.isArray(v) ? v : [v];
      return items.map((x) => `<p:${k}>${escXml(String(x))}</p:${k}>`).join('');
    })
    .join('');
  return {
    xml: `<p:${req.method}_OUTPUT xmlns:p="${req.resourceUri}">${body}</p:${req.method}_OUTPUT>`,
  };
}
