// The registry (HKLM) and process owners over WMI: StdRegProv's EnumKey/EnumValues/Get*Value and
// Win32_Process.GetOwner through a small method-call port, with adapters for DCOM (ExecMethod)
// and WinRM (Invoke), so the 445 collector's registry logic runs unchanged over either WMI path.
import { ScannerError } from '../../errors.js';
import { hresultOf } from '../../transports/dcom/hresult.js';
import { abortError } from '../../transports/safe-errors.js';
import type { WmiMethodCaller } from '../../transports/wmi/exec-method.js';
import type { CimObject, CimScalar, CimType } from '../../transports/wmio/cim-object.js';
import type { CimValue } from '../../transports/wmio/wmio-encoder.js';
import { wsmanInvoke } from '../../transports/wsman/invoke.js';
import type { WsmanClient } from '../../transports/wsman/wsman-client.js';
import { WsmanFaultError } from '../../transports/wsman/wsman-response.js';
import {
  type CallLimits,
  type Listing,
  REG,
  type RegistryAccess,
  type RegistryValue,
} from './remote.js';

/** One WMI method call, in the vocabulary both paths share. */
export interface WmiMethodCall {
  /** `root/default`, `root/cimv2`. */
  namespace: string;
  className: string;
  /** Instance keys; absent for a static method (StdRegProv's). */
  keys?: { name: string; value: string }[];
  method: string;
  /** In-parameters by name, in the signature's order. */
  args: Record<string, CimValue>;
  /** Out-parameter types (WinRM's XML carries none; DCOM's WMIO does). */
  out: Record<string, { cimType: CimType; isArray?: boolean }>;
}

/**
 * Calls WMI methods. Resolves the out-parameters, or null when the instance called on does not
 * exist (the process ended). Every other failure is a ScannerError (ERR_ACCESS_DENIED, ERR_RPC,
 * ERR_TIMEOUT, ERR_PROTOCOL…). One call honours `limits` (signal and per-call limit).
 */
export interface WmiMethodPort {
  call(c: WmiMethodCall, limits: CallLimits): Promise<CimObject | null>;
}

/** WBEM_E_NOT_FOUND: ExecMethod on an instance path that names no instance. */
const WBEM_E_NOT_FOUND = 0x80041002;

/** `Class.Key="value",Other="v"` (WMI object path; quotes and backslashes escaped). */
export function objectPath(
  className: string,
  keys: readonly { name: string; value: string }[] = [],
): string {
  if (keys.length === 0) return className;
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `${className}.${keys.map((k) => `${k.name}="${esc(k.value)}"`).join(',')}`;
}

/** The method port over WMI/DCOM (WmiSession + WmiMethodCaller). */
export function dcomMethodPort(caller: WmiMethodCaller): WmiMethodPort {
  return {
    async call(c, limits) {
      try {
        return await caller.execMethod(
          c.namespace,
          c.className,
          objectPath(c.className, c.keys),
          c.method,
          c.args,
          { signal: limits.signal, timeoutMs: limits.timeoutMs },
        );
      } catch (err) {
        if (c.keys && hresultOf(err) === WBEM_E_NOT_FOUND) return null;
        throw err;
      }
    },
  };
}

/** The method port over WinRM (WS-Man Invoke). */
export function winrmMethodPort(client: WsmanClient): WmiMethodPort {
  return {
    async call(c, limits) {
      if (limits.signal.aborted) throw abortError(limits.signal, `WinRM Invoke ${c.method}`);
      const deadline = new AbortController();
      const timer = setTimeout(
        () =>
          deadline.abort(
            new ScannerError(
              'ERR_TIMEOUT',
              `WinRM Invoke ${c.className}.${c.method} timed out after ${limits.timeoutMs} ms`,
            ),
          ),
        limits.timeoutMs,
      );
      const signal = AbortSignal.any([limits.signal, deadline.signal]);
      try {
        return await wsmanInvoke(
          client,
          {
            namespace: c.namespace,
            className: c.className,
            ...(c.keys ? { selectors: c.keys } : {}),
          },
          c.method,
          c.args,
          { signal, outSchema: c.out },
        );
      } catch (err) {
        // WinRM names an instance that does not exist with InvalidSelectors.
        if (c.keys && err instanceof WsmanFaultError && err.subcode === 'InvalidSelectors')
          return null;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** HKEY_LOCAL_MACHINE as StdRegProv's hDefKey. */
export const HKEY_LOCAL_MACHINE = 0x80000002;
const STD_REG_PROV = { namespace: 'root/default', className: 'StdRegProv' } as const;
/** StdRegProv return values (winerror.h). */
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
/** Longest registry path accepted (Windows' own limit on a key name is 255 per component). */
const MAX_PATH_CHARS = 2048;

const U32 = { cimType: 'uint32' } as const;
const OUT = {
  EnumKey: { ReturnValue: U32, sNames: { cimType: 'string', isArray: true } },
  EnumValues: {
    ReturnValue: U32,
    sNames: { cimType: 'string', isArray: true },
    Types: { cimType: 'sint32', isArray: true },
  },
  GetStringValue: { ReturnValue: U32, sValue: { cimType: 'string' } },
  GetExpandedStringValue: { ReturnValue: U32, sValue: { cimType: 'string' } },
  GetDWORDValue: { ReturnValue: U32, uValue: { cimType: 'uint32' } },
  GetQWORDValue: { ReturnValue: U32, uValue: { cimType: 'uint64' } },
  GetMultiStringValue: { ReturnValue: U32, sValue: { cimType: 'string', isArray: true } },
  GetBinaryValue: { ReturnValue: U32, uValue: { cimType: 'uint8', isArray: true } },
} as const satisfies Record<string, WmiMethodCall['out']>;
type RegMethod = keyof typeof OUT;

/** The StdRegProv getter for each REG_* type; other types are read as binary. */
const GETTER: Partial<Record<number, RegMethod>> = {
  [REG.sz]: 'GetStringValue',
  [REG.expandSz]: 'GetExpandedStringValue',
  [REG.binary]: 'GetBinaryValue',
  [REG.dword]: 'GetDWORDValue',
  [REG.multiSz]: 'GetMultiStringValue',
  [REG.qword]: 'GetQWORDValue',
};

function prop(o: CimObject, name: string): CimScalar | CimScalar[] | null {
  return o.properties[name]?.value ?? null;
}

function strings(v: CimScalar | CimScalar[] | null): string[] {
  if (v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : String(x)));
}

function numbers(v: CimScalar | CimScalar[] | null, what: string): number[] {
  if (v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => {
    const n = typeof x === 'number' ? x : Number(x);
    if (!Number.isInteger(n))
      throw new ScannerError('ERR_PROTOCOL', `${what}: ${String(x)} is not an integer`);
    return n;
  });
}

/**
 * RegistryAccess over StdRegProv: EnumKey for subkeys; EnumValues for names and types, then the
 * typed Get*Value for each of the first `max` values (one call each). ReturnValue 2 (not found)
 * is null, 5 is ERR_ACCESS_DENIED; a value deleted between the listing and its read is skipped.
 * REG_NONE, REG_LINK, resource lists and other types are read with GetBinaryValue; when Windows
 * refuses that for their type, the value is listed with empty data.
 */
export class WmiRegistry implements RegistryAccess {
  readonly #port: WmiMethodPort;
  readonly #hive: number;

  constructor(port: WmiMethodPort, hive = HKEY_LOCAL_MACHINE) {
    this.#port = port;
    this.#hive = hive;
  }

  async #call(
    method: RegMethod,
    path: string,
    valueName: string | null,
    limits: CallLimits,
  ): Promise<{ rv: number; out: CimObject }> {
    if (limits.signal.aborted) throw abortError(limits.signal, `StdRegProv ${method}`);
    if (path.length > MAX_PATH_CHARS || /^\\|\\$/.test(path))
      throw new ScannerError('ERR_CONFIG_INVALID', `not a registry path: ${path.slice(0, 80)}`);
    const args: Record<string, CimValue> = { hDefKey: this.#hive, sSubKeyName: path };
    if (valueName !== null) args['sValueName'] = valueName;
    const out = await this.#port.call({ ...STD_REG_PROV, method, args, out: OUT[method] }, limits);
    const what = `StdRegProv ${method} HKLM\\${path}${valueName === null ? '' : ` ${valueName}`}`;
    if (!out) throw new ScannerError('ERR_RPC', `${what}: StdRegProv is not there`);
    const rv = numbers(prop(out, 'ReturnValue'), what)[0];
    if (rv === undefined) throw new ScannerError('ERR_PROTOCOL', `${what}: no ReturnValue`);
    if (rv === ERROR_ACCESS_DENIED)
      throw new ScannerError('ERR_ACCESS_DENIED', `${what}: access denied (ReturnValue 5)`);
    return { rv, out };
  }

  #fail(method: string, path: string, rv: number): ScannerError {
    return new ScannerError('ERR_RPC', `StdRegProv ${method} HKLM\\${path} returned ${rv}`);
  }

  async subkeys(path: string, max: number, limits: CallLimits): Promise<Listing<string> | null> {
    const { rv, out } = await this.#call('EnumKey', path, null, limits);
    if (rv === ERROR_FILE_NOT_FOUND) return null;
    if (rv !== 0) throw this.#fail('EnumKey', path, rv);
    const names = strings(prop(out, 'sNames'));
    return { items: names.slice(0, max), truncated: names.length > max };
  }

  async values(
    path: string,
    max: number,
    limits: CallLimits,
  ): Promise<Listing<RegistryValue> | null> {
    const { rv, out } = await this.#call('EnumValues', path, null, limits);
    if (rv === ERROR_FILE_NOT_FOUND) return null;
    if (rv !== 0) throw this.#fail('EnumValues', path, rv);
    const names = strings(prop(out, 'sNames'));
    const types = numbers(prop(out, 'Types'), `StdRegProv EnumValues HKLM\\${path} Types`);
    if (names.length !== types.length) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `StdRegProv EnumValues HKLM\\${path}: ${names.length} names but ${types.length} types`,
      );
    }
    const items: RegistryValue[] = [];
    for (let i = 0; i < Math.min(names.length, max); i++) {
      const value = await this.#read(path, names[i]!, types[i]!, limits);
      if (value) items.push(value);
    }
    return { items, truncated: names.length > max };
  }

  /** One value by its listed type; null when it went away between the listing and the read. */
  async #read(
    path: string,
    name: string,
    type: number,
    limits: CallLimits,
  ): Promise<RegistryValue | null> {
    const method = GETTER[type] ?? 'GetBinaryValue';
    const { rv, out } = await this.#call(method, path, name, limits);
    if (rv === ERROR_FILE_NOT_FOUND) return null;
    if (rv !== 0) {
      if (GETTER[type] === undefined) return { name, type, data: Buffer.alloc(0) };
      throw this.#fail(`${method} ${name}`, path, rv);
    }
    const what = `StdRegProv ${method} HKLM\\${path} ${name}`;
    switch (method) {
      case 'GetStringValue':
      case 'GetExpandedStringValue':
        return { name, type, data: strings(prop(out, 'sValue'))[0] ?? '' };
      case 'GetMultiStringValue':
        return { name, type, data: strings(prop(out, 'sValue')) };
      case 'GetDWORDValue': {
        const n = numbers(prop(out, 'uValue'), what)[0];
        if (n === undefined) throw new ScannerError('ERR_PROTOCOL', `${what}: no uValue`);
        return { name, type, data: n >>> 0 };
      }
      case 'GetQWORDValue': {
        const v = prop(out, 'uValue');
        if (typeof v !== 'string' && typeof v !== 'number')
          throw new ScannerError('ERR_PROTOCOL', `${what}: no uValue`);
        return { name, type, data: BigInt(v) };
      }
      default:
        return { name, type, data: Buffer.from(numbers(prop(out, 'uValue'), what)) };
    }
  }
}

/** Win32_Process.GetOwner return values meaning "not allowed" (2 access denied, 3 privilege). */
const OWNER_DENIED = new Set([2, 3]);
/** 9: path not found (the process ended). */
const OWNER_GONE = 9;

/**
 * The account a process runs as, `DOMAIN\user` (`user` when the domain is empty), through
 * Win32_Process.GetOwner; null when the process no longer exists or has no owner (System Idle).
 */
export async function processOwner(
  port: WmiMethodPort,
  pid: number,
  limits: CallLimits,
): Promise<string | null> {
  if (!Number.isInteger(pid) || pid < 0 || pid > 0xffffffff)
    throw new ScannerError('ERR_CONFIG_INVALID', `not a process id: ${pid}`);
  const what = `Win32_Process.GetOwner of process ${pid}`;
  const out = await port.call(
    {
      namespace: 'root/cimv2',
      className: 'Win32_Process',
      keys: [{ name: 'Handle', value: String(pid) }],
      method: 'GetOwner',
      args: {},
      out: { ReturnValue: U32, User: { cimType: 'string' }, Domain: { cimType: 'string' } },
    },
    limits,
  );
  if (!out) return null;
  const rv = numbers(prop(out, 'ReturnValue'), what)[0];
  if (rv === undefined) throw new ScannerError('ERR_PROTOCOL', `${what}: no ReturnValue`);
  if (OWNER_DENIED.has(rv))
    throw new ScannerError('ERR_ACCESS_DENIED', `${what}: access denied (ReturnValue ${rv})`);
  if (rv === OWNER_GONE) return null;
  if (rv !== 0) throw new ScannerError('ERR_RPC', `${what} returned ${rv}`);
  const user = strings(prop(out, 'User'))[0] ?? '';
  const domain = strings(prop(out, 'Domain'))[0] ?? '';
  if (!user) return null;
  return domain ? `${domain}\\${user}` : user;
}
