// svcctl (MS-SCMR): list services with state and configuration; create, start, stop and delete one
// (the remote-execution path).
import { ScannerError } from '../../../errors.js';
import { NdrReader, NdrWriter } from '../ndr.js';
import { type ContextHandle, writeHandle } from '../ndr-types.js';
import type { CallOptions, RpcClient, RpcInterface } from '../rpc-client.js';
import { resultError } from '../status.js';
import { decodeHandleResponse, encodeHandleOnly } from './handle-stubs.js';

export const SVCCTL: RpcInterface = {
  name: 'svcctl',
  uuid: '367abb81-9844-35f1-ad32-98f038001003',
  major: 2,
  minor: 0,
};
export const SVCCTL_PIPE = 'svcctl';
const OP = {
  close: 0,
  control: 1,
  delete: 2,
  queryStatus: 6,
  createService: 12,
  enumServicesStatus: 14,
  openSCManager: 15,
  openService: 16,
  queryConfig: 17,
  startService: 19,
} as const;

/** SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE. */
export const SC_MANAGER_READ = 0x0001 | 0x0004;
/** SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE. */
export const SC_MANAGER_CREATE = 0x0001 | 0x0002;
/** SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS. */
export const SERVICE_READ = 0x0001 | 0x0004;
/** SERVICE_QUERY_STATUS | SERVICE_START | SERVICE_STOP | DELETE. */
export const SERVICE_RUN_AND_DELETE = 0x0004 | 0x0010 | 0x0020 | 0x00010000;
export const SERVICE_TYPE = {
  kernelDriver: 0x1,
  fileSystemDriver: 0x2,
  win32OwnProcess: 0x10,
  win32ShareProcess: 0x20,
  win32: 0x30,
} as const;
export const SERVICE_STATE_FILTER = { active: 1, inactive: 2, all: 3 } as const;
export const START_TYPE = { boot: 0, system: 1, auto: 2, demand: 3, disabled: 4 } as const;
export const CURRENT_STATE = {
  stopped: 1,
  startPending: 2,
  stopPending: 3,
  running: 4,
  continuePending: 5,
  pausePending: 6,
  paused: 7,
} as const;
const ERROR_MORE_DATA = 0xea;
const ERROR_INSUFFICIENT_BUFFER = 0x7a;
/** Cap on the services buffer (LPBOUNDED_DWORD_256K in the IDL). */
const MAX_ENUM_BYTES = 256 * 1024;
const MAX_CONFIG_BYTES = 8 * 1024;
const ENUM_ENTRY_SIZE = 36;

export interface ServiceStatus {
  serviceType: number;
  currentState: number;
  controlsAccepted: number;
  win32ExitCode: number;
  serviceSpecificExitCode: number;
  checkPoint: number;
  waitHint: number;
}

export interface ServiceEntry {
  name: string;
  displayName: string;
  status: ServiceStatus;
}

function readStatus(r: NdrReader): ServiceStatus {
  return {
    serviceType: r.u32(),
    currentState: r.u32(),
    controlsAccepted: r.u32(),
    win32ExitCode: r.u32(),
    serviceSpecificExitCode: r.u32(),
    checkPoint: r.u32(),
    waitHint: r.u32(),
  };
}

export function encodeOpenSCManager(access = SC_MANAGER_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => w.u32(0)); // lpMachineName: NULL (the server itself)
  w.construct(() => w.unique('ServicesActive', (s) => w.wstring(s)));
  w.construct(() => w.u32(access));
  return w.toBuffer();
}

export function encodeEnumServicesStatus(
  scm: ContextHandle,
  bufSize: number,
  resume: number | null,
  type: number = SERVICE_TYPE.win32,
  state: number = SERVICE_STATE_FILTER.all,
): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, scm));
  w.construct(() => w.u32(type).u32(state).u32(bufSize));
  w.construct(() => w.unique(resume, (v) => w.u32(v)));
  return w.toBuffer();
}

/** A NUL-terminated UTF-16 string at byte `offset` of `buf` (bounded by the buffer). */
function stringAt(buf: Buffer, offset: number): string {
  if (offset === 0) return '';
  if (offset >= buf.length)
    throw new ScannerError('ERR_PROTOCOL', `service string offset ${offset} past ${buf.length}`);
  let end = offset;
  while (end + 1 < buf.length && (buf[end] !== 0 || buf[end + 1] !== 0)) end += 2;
  return buf.subarray(offset, end).toString('utf16le');
}

/** The ENUM_SERVICE_STATUSW array inside REnumServicesStatusW's byte buffer (string offsets from its start). */
export function parseEnumServicesBuffer(buf: Buffer, count: number): ServiceEntry[] {
  if (count * ENUM_ENTRY_SIZE > buf.length)
    throw new ScannerError('ERR_PROTOCOL', `${count} services do not fit ${buf.length} bytes`);
  const out: ServiceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * ENUM_ENTRY_SIZE;
    const r = new NdrReader(buf.subarray(at + 8, at + ENUM_ENTRY_SIZE));
    out.push({
      name: stringAt(buf, buf.readUInt32LE(at)),
      displayName: stringAt(buf, buf.readUInt32LE(at + 4)),
      status: readStatus(r),
    });
  }
  return out;
}

export interface EnumServicesAnswer {
  buffer: Buffer;
  bytesNeeded: number;
  count: number;
  resume: number | null;
  status: number;
}

export function decodeEnumServicesStatus(stub: Buffer): EnumServicesAnswer {
  const r = new NdrReader(stub);
  const buffer = r.construct(() => r.bytes(r.count(1, 'service buffer')));
  const bytesNeeded = r.construct(() => r.u32());
  const count = r.construct(() => r.u32());
  const resume = r.construct(() => r.unique(() => r.u32()));
  const status = r.construct(() => r.u32());
  return { buffer, bytesNeeded, count, resume: resume.value, status };
}

/** ROpenServiceW / the name string is a top-level [string] (no pointer). */
export function encodeOpenService(scm: ContextHandle, name: string, access: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, scm));
  w.construct(() => w.wstring(name));
  w.construct(() => w.u32(access));
  return w.toBuffer();
}

export interface ServiceConfig {
  serviceType: number;
  startType: number;
  errorControl: number;
  binaryPath: string;
  loadOrderGroup: string;
  tagId: number;
  dependencies: string;
  startName: string;
  displayName: string;
}

export function encodeQueryConfig(service: ContextHandle, bufSize: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, service));
  w.construct(() => w.u32(bufSize));
  return w.toBuffer();
}

export function decodeQueryConfig(stub: Buffer): {
  config: ServiceConfig;
  bytesNeeded: number;
  status: number;
} {
  const r = new NdrReader(stub);
  const c = r.construct(() => {
    const serviceType = r.u32();
    const startType = r.u32();
    const errorControl = r.u32();
    const binaryPath = r.unique(() => r.wstring());
    const loadOrderGroup = r.unique(() => r.wstring());
    const tagId = r.u32();
    const dependencies = r.unique(() => r.wstring());
    const startName = r.unique(() => r.wstring());
    const displayName = r.unique(() => r.wstring());
    return {
      serviceType,
      startType,
      errorControl,
      binaryPath,
      loadOrderGroup,
      tagId,
      dependencies,
      startName,
      displayName,
    };
  });
  const bytesNeeded = r.construct(() => r.u32());
  const status = r.construct(() => r.u32());
  return {
    bytesNeeded,
    status,
    config: {
      serviceType: c.serviceType,
      startType: c.startType,
      errorControl: c.errorControl,
      binaryPath: c.binaryPath.value ?? '',
      loadOrderGroup: c.loadOrderGroup.value ?? '',
      tagId: c.tagId,
      dependencies: c.dependencies.value ?? '',
      startName: c.startName.value ?? '',
      displayName: c.displayName.value ?? '',
    },
  };
}

export interface CreateServiceSpec {
  name: string;
  displayName: string;
  binaryPath: string;
  /** Default SERVICE_WIN32_OWN_PROCESS. */
  serviceType?: number;
  /** Default SERVICE_DEMAND_START. */
  startType?: number;
  access?: number;
}

/** RCreateServiceW with LocalSystem (no start name, no password, no dependencies). */
export function encodeCreateService(scm: ContextHandle, spec: CreateServiceSpec): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, scm));
  w.construct(() => w.wstring(spec.name));
  w.construct(() => w.unique(spec.displayName, (s) => w.wstring(s)));
  w.construct(() => w.u32(spec.access ?? SERVICE_RUN_AND_DELETE));
  w.construct(() => w.u32(spec.serviceType ?? SERVICE_TYPE.win32OwnProcess));
  w.construct(() => w.u32(spec.startType ?? START_TYPE.demand));
  w.construct(() => w.u32(0)); // SERVICE_ERROR_IGNORE
  w.construct(() => w.wstring(spec.binaryPath));
  w.construct(() => w.u32(0)); // lpLoadOrderGroup
  w.construct(() => w.u32(0)); // lpdwTagId
  w.construct(() => w.u32(0)); // lpDependencies
  w.construct(() => w.u32(0)); // dwDependSize
  w.construct(() => w.u32(0)); // lpServiceStartName (LocalSystem)
  w.construct(() => w.u32(0)); // lpPassword
  w.construct(() => w.u32(0)); // dwPwSize
  return w.toBuffer();
}

export function decodeCreateService(stub: Buffer): ContextHandle {
  const r = new NdrReader(stub);
  r.construct(() => r.unique(() => r.u32())); // lpdwTagId
  return decodeHandleResponse(stub.subarray(r.offset), 'RCreateServiceW');
}

export function encodeStartService(service: ContextHandle, args: string[] = []): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, service));
  w.construct(() => w.u32(args.length));
  w.construct(() =>
    w.unique(args.length > 0 ? args : null, (list) =>
      w.conformantArray(list, (a) => w.unique(a, (s) => w.wstring(s))),
    ),
  );
  return w.toBuffer();
}

/** SERVICE_CONTROL_STOP. */
export const CONTROL_STOP = 1;

export function encodeControlService(service: ContextHandle, control: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, service));
  w.construct(() => w.u32(control));
  return w.toBuffer();
}

export function decodeStatusOnly(stub: Buffer, what: string): void {
  const r = new NdrReader(stub);
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, what);
}

/** A SERVICE_STATUS then a result (RQueryServiceStatus, RControlService). */
export function decodeServiceStatus(stub: Buffer, what: string): ServiceStatus {
  const r = new NdrReader(stub);
  const s = r.construct(() => readStatus(r));
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, what);
  return s;
}

/** An open service handle. */
export class Service {
  readonly #rpc: RpcClient;
  readonly #opts: CallOptions;
  readonly handle: ContextHandle;
  readonly name: string;

  constructor(rpc: RpcClient, handle: ContextHandle, name: string, opts: CallOptions) {
    this.#rpc = rpc;
    this.handle = handle;
    this.name = name;
    this.#opts = opts;
  }

  /** RQueryServiceConfigW, asking again with the size the server needs (bounded). */
  async config(): Promise<ServiceConfig> {
    let size = 1024;
    for (let attempt = 0; attempt < 3; attempt++) {
      const ans = decodeQueryConfig(
        await this.#rpc.call(OP.queryConfig, encodeQueryConfig(this.handle, size), this.#opts),
      );
      if (ans.status === 0) return ans.config;
      if (
        ans.status !== ERROR_INSUFFICIENT_BUFFER ||
        ans.bytesNeeded <= size ||
        ans.bytesNeeded > MAX_CONFIG_BYTES
      ) {
        throw resultError(ans.status, `RQueryServiceConfigW ${this.name}`);
      }
      size = ans.bytesNeeded;
    }
    throw resultError(ERROR_INSUFFICIENT_BUFFER, `RQueryServiceConfigW ${this.name}`);
  }

  async status(): Promise<ServiceStatus> {
    return decodeServiceStatus(
      await this.#rpc.call(OP.queryStatus, encodeHandleOnly(this.handle), this.#opts),
      'RQueryServiceStatus',
    );
  }

  async start(args: string[] = []): Promise<void> {
    decodeStatusOnly(
      await this.#rpc.call(OP.startService, encodeStartService(this.handle, args), this.#opts),
      `RStartServiceW ${this.name}`,
    );
  }

  async stop(): Promise<ServiceStatus> {
    const stub = await this.#rpc.call(
      OP.control,
      encodeControlService(this.handle, CONTROL_STOP),
      this.#opts,
    );
    return decodeServiceStatus(stub, `RControlService ${this.name}`);
  }

  async delete(): Promise<void> {
    decodeStatusOnly(
      await this.#rpc.call(OP.delete, encodeHandleOnly(this.handle), this.#opts),
      `RDeleteService ${this.name}`,
    );
  }

  async close(): Promise<void> {
    decodeHandleResponse(
      await this.#rpc.call(OP.close, encodeHandleOnly(this.handle), this.#opts),
      'RCloseServiceHandle',
    );
  }
}

/** The service control manager of the server. */
export class ServiceManager {
  readonly #rpc: RpcClient;
  readonly #opts: CallOptions;
  readonly handle: ContextHandle;

  private constructor(rpc: RpcClient, handle: ContextHandle, opts: CallOptions) {
    this.#rpc = rpc;
    this.handle = handle;
    this.#opts = opts;
  }

  static async open(
    rpc: RpcClient,
    opts: CallOptions = {},
    access = SC_MANAGER_READ,
  ): Promise<ServiceManager> {
    const stub = await rpc.call(OP.openSCManager, encodeOpenSCManager(access), opts);
    return new ServiceManager(rpc, decodeHandleResponse(stub, 'ROpenSCManagerW'), opts);
  }

  /** Every Win32 service with its state (REnumServicesStatusW, resuming while ERROR_MORE_DATA). */
  async services(type: number = SERVICE_TYPE.win32): Promise<ServiceEntry[]> {
    const out: ServiceEntry[] = [];
    let resume: number | null = 0;
    let size = 16 * 1024;
    for (let round = 0; round < 1000; round++) {
      const stub = await this.#rpc.call(
        OP.enumServicesStatus,
        encodeEnumServicesStatus(this.handle, size, resume, type),
        this.#opts,
      );
      const ans = decodeEnumServicesStatus(stub);
      if (ans.status !== 0 && ans.status !== ERROR_MORE_DATA)
        throw resultError(ans.status, 'REnumServicesStatusW');
      out.push(...parseEnumServicesBuffer(ans.buffer, ans.count));
      if (ans.status === 0) return out;
      if (ans.count === 0) {
        // Not even one entry fit: grow the buffer (bounded) and ask again from the same place.
        if (ans.bytesNeeded <= size || ans.bytesNeeded > MAX_ENUM_BYTES)
          throw resultError(ans.status, 'REnumServicesStatusW');
        size = ans.bytesNeeded;
      }
      resume = ans.resume ?? resume;
    }
    return out;
  }

  /** ROpenServiceW; ERR_RPC (ERROR_SERVICE_DOES_NOT_EXIST) when there is none. */
  async open(name: string, access = SERVICE_READ): Promise<Service> {
    const stub = await this.#rpc.call(
      OP.openService,
      encodeOpenService(this.handle, name, access),
      this.#opts,
    );
    return new Service(
      this.#rpc,
      decodeHandleResponse(stub, `ROpenServiceW ${name}`),
      name,
      this.#opts,
    );
  }

  /** RCreateServiceW (needs SC_MANAGER_CREATE access); the caller deletes it. */
  async create(spec: CreateServiceSpec): Promise<Service> {
    const stub = await this.#rpc.call(
      OP.createService,
      encodeCreateService(this.handle, spec),
      this.#opts,
    );
    return new Service(this.#rpc, decodeCreateService(stub), spec.name, this.#opts);
  }

  async close(): Promise<void> {
    decodeHandleResponse(
      await this.#rpc.call(OP.close, encodeHandleOnly(this.handle), this.#opts),
      'RCloseServiceHandle',
    );
  }
}
