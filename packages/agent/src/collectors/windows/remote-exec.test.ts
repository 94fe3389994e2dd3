import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../../errors.js';
import type { CallLimits, RemoteExecPort } from './remote.js';
import {
  runRemoteCommand,
  serviceCommand,
  splitCombinedOutput,
  combinedCommand,
} from './remote-exec.js';
import { gatherByRemoteExec } from './exec-inventory.js';

/** Records every call in order; `script` decides what each returns or throws. */
class RecordingPort implements RemoteExecPort {
  readonly calls: string[] = [];
  readonly cleanupSignals: AbortSignal[] = [];
  readFiles = 0;
  constructor(
    private readonly script: {
      create?: () => void;
      start?: () => void;
      /** The output on the n-th look (null: not there yet). */
      read?: (n: number, limits: CallLimits) => Buffer | null;
      deleteService?: () => void;
    } = {},
  ) {}
  async createService(name: string, binaryPath: string): Promise<void> {
    this.calls.push(`create ${name} ${binaryPath}`);
    this.script.create?.();
  }
  async startService(name: string): Promise<void> {
    this.calls.push(`start ${name}`);
    this.script.start?.();
  }
  async deleteService(name: string, limits: CallLimits): Promise<void> {
    this.calls.push(`delete-service ${name}`);
    this.cleanupSignals.push(limits.signal);
    this.script.deleteService?.();
  }
  async readFile(path: string, _max: number, limits: CallLimits): Promise<Buffer | null> {
    this.calls.push(`read ${path}`);
    return this.script.read ? this.script.read(this.readFiles++, limits) : null;
  }
  async deleteFile(path: string, limits: CallLimits): Promise<void> {
    this.calls.push(`delete-file ${path}`);
    this.cleanupSignals.push(limits.signal);
  }
}

const noSleep = async (_ms: number, signal: AbortSignal): Promise<void> => {
  if (signal.aborted) throw signal.reason;
};
const opts = (signal = new AbortController().signal) => ({
  signal,
  callTimeoutMs: 1000,
  waitMs: 2000,
  maxOutputBytes: 1 << 20,
  sleep: noSleep,
  random: () => 'abc123',
});
const NAME = 'NopeSight-abc123';
const CLEANUP = [
  `delete-service ${NAME}`,
  'delete-file Temp\\nopesight-abc123.txt',
  'delete-file Temp\\nopesight-abc123.tmp',
];

test('runRemoteCommand creates, starts, polls, reads, then deletes the service and both files', async () => {
  const port = new RecordingPort({ read: (n) => (n < 2 ? null : Buffer.from('out')) });
  const r = await runRemoteCommand(port, 'netstat -ano', opts());
  assert.equal(r.output.toString(), 'out');
  assert.deepEqual(r.cleanupFailures, []);
  assert.deepEqual(port.calls, [
    `create ${NAME} ${serviceCommand('netstat -ano', 'Temp\\nopesight-abc123.tmp', 'Temp\\nopesight-abc123.txt')}`,
    `start ${NAME}`,
    'read Temp\\nopesight-abc123.txt',
    'read Temp\\nopesight-abc123.txt',
    'read Temp\\nopesight-abc123.txt',
    ...CLEANUP,
  ]);
});

test('runRemoteCommand treats "not a service" start errors as the command having run', async () => {
  const port = new RecordingPort({
    start: () => {
      throw Object.assign(new ScannerError('ERR_RPC', 'RStartServiceW returned 1053'), {
        rpcStatus: 1053,
      });
    },
    read: () => Buffer.from('ok'),
  });
  const r = await runRemoteCommand(port, 'tasklist', opts());
  assert.equal(r.output.toString(), 'ok');
  assert.deepEqual(port.calls.slice(-3), CLEANUP);
});

test('runRemoteCommand cleans up when the start fails for real, and rethrows that error', async () => {
  const port = new RecordingPort({
    start: () => {
      throw Object.assign(new ScannerError('ERR_ACCESS_DENIED', 'RStartServiceW denied'), {
        rpcStatus: 5,
      });
    },
  });
  await assert.rejects(runRemoteCommand(port, 'tasklist', opts()), /RStartServiceW denied/);
  assert.deepEqual(port.calls, [port.calls[0], `start ${NAME}`, ...CLEANUP]);
});

test('runRemoteCommand deletes no service it did not create, but still removes the files', async () => {
  const port = new RecordingPort({
    create: () => {
      throw new ScannerError('ERR_RPC', 'RCreateServiceW returned ERROR_SERVICE_EXISTS');
    },
  });
  await assert.rejects(runRemoteCommand(port, 'tasklist', opts()), /SERVICE_EXISTS/);
  assert.deepEqual(port.calls.slice(1), CLEANUP.slice(1));
});

test('runRemoteCommand gives up after waitMs with ERR_TIMEOUT and cleans up', async () => {
  const port = new RecordingPort({ read: () => null });
  await assert.rejects(runRemoteCommand(port, 'tasklist', { ...opts(), waitMs: 1000 }), (err) => {
    assert.ok(err instanceof ScannerError);
    assert.equal(err.code, 'ERR_TIMEOUT');
    return true;
  });
  const reads = port.calls.filter((c) => c.startsWith('read')).length;
  assert.ok(reads >= 1 && reads <= 3, `bounded looks: ${reads}`);
  assert.deepEqual(port.calls.slice(-3), CLEANUP);
});

test('runRemoteCommand cleans up after a cancel, with a signal of its own that is not aborted', async () => {
  const ctl = new AbortController();
  const port = new RecordingPort({
    read: () => {
      ctl.abort(new ScannerError('ERR_ABORTED', 'scan cancelled'));
      return null;
    },
  });
  await assert.rejects(runRemoteCommand(port, 'tasklist', opts(ctl.signal)), /scan cancelled/);
  assert.deepEqual(port.calls.slice(-3), CLEANUP);
  assert.equal(port.cleanupSignals.length, 3);
  for (const s of port.cleanupSignals) assert.equal(s.aborted, false);
});

test('runRemoteCommand reports a failed cleanup without hiding the result', async () => {
  const port = new RecordingPort({
    read: () => Buffer.from('x'),
    deleteService: () => {
      throw new ScannerError('ERR_RPC', 'RDeleteService returned ERROR_ACCESS_DENIED');
    },
  });
  const r = await runRemoteCommand(port, 'tasklist', opts());
  assert.equal(r.output.toString(), 'x');
  assert.deepEqual(r.cleanupFailures, [
    `service ${NAME}: RDeleteService returned ERROR_ACCESS_DENIED`,
  ]);
  assert.deepEqual(port.calls.slice(-3), CLEANUP);
});

test('splitCombinedOutput splits by markers carrying the nonce and ignores forged ones', () => {
  const text = [
    '==NOPESIGHT-n1 tasklist==',
    '"a.exe","1","Services","0","1 K","Unknown","N/A","0:00:00","N/A"',
    '==NOPESIGHT-zz netstat==',
    '==NOPESIGHT-n1 netstat==',
    '  TCP    0.0.0.0:135    0.0.0.0:0    LISTENING    908',
    '',
  ].join('\r\n');
  const parts = splitCombinedOutput(text, 'n1');
  assert.deepEqual([...parts.keys()], ['tasklist', 'netstat']);
  assert.match(parts.get('tasklist')!, /==NOPESIGHT-zz netstat==/);
  assert.match(parts.get('netstat')!, /LISTENING/);
  assert.equal(
    combinedCommand('n1', [
      ['a', 'x'],
      ['b', 'y'],
    ]),
    '(echo ==NOPESIGHT-n1 a== & x & echo ==NOPESIGHT-n1 b== & y)',
  );
});

test('gatherByRemoteExec parses both commands from one run and marks a leftover as partial', async () => {
  const output = [
    '==NOPESIGHT-n1 tasklist==',
    '"Image Name","PID","Session Name","Session#","Mem Usage","Status","User Name","CPU Time","Window Title"',
    '"svchost.exe","908","Services","0","9,000 K","Unknown","NT AUTHORITY\\NETWORK SERVICE","0:00:01","N/A"',
    '==NOPESIGHT-n1 netstat==',
    '',
    'Active Connections',
    '',
    '  Proto  Local Address          Foreign Address        State           PID',
    '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       908',
  ].join('\r\n');
  const port = new RecordingPort({
    read: () => Buffer.from(output),
    deleteService: () => {
      throw new ScannerError('ERR_TIMEOUT', 'no answer');
    },
  });
  const data = await gatherByRemoteExec(port, { ...opts(), nonce: 'n1' });
  assert.deepEqual(
    data.processes.data.map((p) => [p.pid, p.name, p.user]),
    [[908, 'svchost.exe', 'NT AUTHORITY\\NETWORK SERVICE']],
  );
  assert.deepEqual(
    data.connections.data.map((c) => [c.proto, c.localPort, c.state, c.pid]),
    [['tcp', 135, 'LISTEN', 908]],
  );
  assert.equal(data.processes.state, 'partial');
  assert.match(data.processes.notes.join(), /cleanup failed: service NopeSight-abc123/);
});
