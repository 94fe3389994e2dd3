// What our Windows collector over 445 asks of its transports, counted by wrapping prototype methods
// of the compiled agent (packages/agent/dist): SMB2 messages sent, pipes bound, RPC calls per pipe,
// registry keys opened, subkeys listed and values read, service configurations read. Used by the
// bench driver (windows-inventory-driver.mjs) and, as a `node --import` preload, by the CLI
// (windows-cli-counter.mjs). The agent's code is not changed: only its prototypes, in this process.
import { performance } from 'node:perf_hooks';
import { Smb2Transport } from '../../packages/agent/dist/transports/smb2/smb2-transport.js';
import { RpcClient } from '../../packages/agent/dist/transports/dcerpc/rpc-client.js';
import {
  decodeEnumKey,
  RegistryKey,
} from '../../packages/agent/dist/transports/dcerpc/interfaces/winreg.js';
import { Service } from '../../packages/agent/dist/transports/dcerpc/interfaces/svcctl.js';

/** BaseRegEnumKey (MS-RRP 3.1.5.10). */
const OP_ENUM_KEY = 9;

/** SMB2 messages in one frame: a compound chain is several (NextCommand), a TRANSFORM one. */
export function messagesInFrame(frame) {
  if (frame.length < 64 || frame.readUInt32BE(0) !== 0xfe534d42) return 1;
  let n = 1;
  for (let off = 0, i = 0; i < 64; i++) {
    const next = frame.readUInt32LE(off + 20);
    if (next === 0 || off + next + 64 > frame.length) break;
    off += next;
    n++;
  }
  return n;
}

/** Installs the counters once per process and returns the live counts. */
export function installWindowsCounters() {
  if (globalThis.benchWindowsCounts) return globalThis.benchWindowsCounts;
  const counts = {
    smbMessages: 0,
    pipes: 0,
    rpcCalls: 0,
    callsPerPipe: {},
    /** Time spent in RPC calls per pipe (the collector makes one call at a time). */
    msPerPipe: {},
    keysOpened: 0,
    subkeys: 0,
    values: 0,
    serviceConfigs: 0,
    /** performance.now() when the first pipe was bound (the login is over by then). */
    firstBindAt: null,
  };
  globalThis.benchWindowsCounts = counts;

  const send = Smb2Transport.prototype.send;
  Smb2Transport.prototype.send = function (message) {
    counts.smbMessages += messagesInFrame(message);
    return send.call(this, message);
  };
  const bind = RpcClient.bind;
  RpcClient.bind = function (...args) {
    counts.pipes++;
    counts.firstBindAt ??= performance.now();
    return bind.apply(this, args);
  };
  const call = RpcClient.prototype.call;
  RpcClient.prototype.call = function (opnum, stub, opts) {
    const pipe = this.transport.description.replace(/^.*\\/, '');
    counts.rpcCalls++;
    counts.callsPerPipe[pipe] = (counts.callsPerPipe[pipe] ?? 0) + 1;
    const started = performance.now();
    const answer = call.call(this, opnum, stub, opts);
    const spent = () => {
      counts.msPerPipe[pipe] = (counts.msPerPipe[pipe] ?? 0) + performance.now() - started;
    };
    answer.then(spent, spent);
    if (pipe === 'winreg' && opnum === OP_ENUM_KEY) {
      answer.then(
        (s) => {
          try {
            if (decodeEnumKey(s) !== null) counts.subkeys++;
          } catch {
            // An error status: no name.
          }
        },
        () => undefined,
      );
    }
    return answer;
  };
  const openKey = RegistryKey.prototype.openKey;
  RegistryKey.prototype.openKey = async function (...args) {
    const key = await openKey.apply(this, args);
    if (key) counts.keysOpened++;
    return key;
  };
  const values = RegistryKey.prototype.values;
  RegistryKey.prototype.values = async function (...args) {
    const list = await values.apply(this, args);
    counts.values += list.length;
    return list;
  };
  const config = Service.prototype.config;
  Service.prototype.config = async function (...args) {
    const c = await config.apply(this, args);
    counts.serviceConfigs++;
    return c;
  };
  return counts;
}
