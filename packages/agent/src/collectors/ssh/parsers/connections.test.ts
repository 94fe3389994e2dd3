// Table tests for the socket parsers and relationship evidence over testdata/connections (see SOURCES.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  connectionRelationships,
  parseNetstat,
  parseProcNet,
  parseSs,
  type ConnectionInfo,
} from './connections.js';
import { MAX_ITEMS, type SectionResult } from './section-types.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/connections/${name}`, import.meta.url), 'utf8');

interface Case {
  file: string;
  parse: (text: string) => SectionResult<ConnectionInfo[]>;
  state: 'complete' | 'partial' | 'unsupported';
  count?: number;
  /** The first socket matching these local/remote ports is compared field by field. */
  expect?: Partial<ConnectionInfo> & { localPort: number };
}

const cases: Case[] = [
  {
    file: 'debian12-ss-tunapH.txt',
    parse: parseSs,
    state: 'complete',
    count: 8,
    expect: {
      proto: 'tcp',
      family: 4,
      localAddress: '0.0.0.0',
      localPort: 18080,
      remoteAddress: null,
      remotePort: null,
      state: 'LISTEN',
      pid: 23306,
      processName: 'node',
      inode: null,
    },
  },
  {
    file: 'debian12-ss-tunapH.txt',
    parse: parseSs,
    state: 'complete',
    expect: { localPort: 2024, pid: null, processName: null },
  },
  {
    file: 'debian12-ss-tunapH.txt',
    parse: parseSs,
    state: 'complete',
    expect: { localPort: 15353, proto: 'udp', state: 'UNCONN', localAddress: '127.0.0.1' },
  },
  {
    file: 'debian12-ss-tunapH.txt',
    parse: parseSs,
    state: 'complete',
    expect: { localPort: 18081, family: 6, localAddress: '::', state: 'LISTEN' },
  },
  {
    file: 'debian12-ss-tunapH.txt',
    parse: parseSs,
    state: 'complete',
    expect: {
      localPort: 58100,
      localAddress: '::1',
      remoteAddress: '::1',
      remotePort: 18081,
      state: 'ESTABLISHED',
    },
  },
  {
    file: 'centos7-ss-tunap-header.txt',
    parse: parseSs,
    state: 'complete',
    count: 12,
    expect: {
      localPort: 48812,
      remoteAddress: '10.20.0.40',
      remotePort: 5432,
      processName: 'java',
      pid: 1888,
    },
  },
  {
    file: 'centos7-ss-tunap-header.txt',
    parse: parseSs,
    state: 'complete',
    expect: { localPort: 22, pid: 1102 },
  },
  {
    file: 'centos7-ss-tunap-header.txt',
    parse: parseSs,
    state: 'complete',
    expect: { localPort: 48790, state: 'TIME_WAIT', pid: null },
  },
  {
    file: 'debian12-netstat-tunap.txt',
    parse: parseNetstat,
    state: 'complete',
    count: 8,
    expect: {
      localPort: 18081,
      family: 6,
      localAddress: '::',
      state: 'LISTEN',
      pid: 23306,
      processName: 'node',
    },
  },
  {
    file: 'debian12-netstat-tunap.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 15353, proto: 'udp', state: 'UNCONN', pid: 23306 },
  },
  {
    file: 'debian12-netstat-tunap.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 2024, pid: null, processName: null },
  },
  {
    file: 'alpine318-busybox-netstat-tunap.txt',
    parse: parseNetstat,
    state: 'complete',
    count: 6,
    expect: {
      localPort: 41622,
      remoteAddress: '172.17.0.5',
      remotePort: 6379,
      processName: 'python3',
    },
  },
  {
    file: 'alpine318-busybox-netstat-tunap.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 68, proto: 'udp', state: 'UNCONN', processName: 'udhcpc' },
  },
  {
    // NETSTAT_COMMAND on Debian's busybox 1.35: `-p` refused, `netstat -an` read instead.
    file: 'debian12-busybox135-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    count: 6,
    expect: {
      localPort: 18080,
      localAddress: '127.0.0.1',
      remoteAddress: null,
      state: 'LISTEN',
      pid: null,
      processName: null,
    },
  },
  {
    file: 'debian12-busybox135-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: {
      localPort: 53854,
      remoteAddress: '127.0.0.1',
      remotePort: 18080,
      state: 'ESTABLISHED',
    },
  },
  {
    file: 'debian12-busybox135-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 15353, proto: 'udp', state: 'UNCONN', remoteAddress: null },
  },
  {
    file: 'debian12-busybox135-netstat-tunap-error.txt',
    parse: parseNetstat,
    state: 'unsupported',
    count: 0,
  },
  {
    file: 'macos14-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    count: 7,
    expect: {
      localPort: 51544,
      localAddress: '192.168.1.23',
      remoteAddress: '140.82.112.4',
      remotePort: 443,
      state: 'ESTABLISHED',
      pid: null,
    },
  },
  {
    file: 'macos14-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 123, proto: 'udp', family: 6, localAddress: 'fe80::1', state: 'UNCONN' },
  },
  {
    file: 'macos14-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    expect: { localPort: 22, remotePort: null, localAddress: '::', state: 'LISTEN' },
  },
  {
    file: 'freebsd14-netstat-an.txt',
    parse: parseNetstat,
    state: 'complete',
    count: 5,
    expect: {
      localPort: 514,
      remotePort: null,
      localAddress: '0.0.0.0',
      family: 4,
      state: 'UNCONN',
    },
  },
  {
    file: 'debian12-proc-net-tcp.txt',
    parse: (t) => parseProcNet(t, 'tcp'),
    state: 'complete',
    count: 4,
    expect: {
      localPort: 18080,
      localAddress: '0.0.0.0',
      state: 'LISTEN',
      pid: null,
      inode: 5949300,
    },
  },
  {
    file: 'debian12-proc-net-tcp.txt',
    parse: (t) => parseProcNet(t, 'tcp'),
    state: 'complete',
    expect: {
      localPort: 33148,
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 18080,
      state: 'ESTABLISHED',
    },
  },
  {
    file: 'debian12-proc-net-tcp6.txt',
    parse: (t) => parseProcNet(t, 'tcp'),
    state: 'complete',
    count: 3,
    expect: { localPort: 18081, family: 6, localAddress: '::', state: 'LISTEN' },
  },
  {
    file: 'debian12-proc-net-tcp6.txt',
    parse: (t) => parseProcNet(t, 'tcp'),
    state: 'complete',
    expect: { localPort: 58100, localAddress: '::1', remoteAddress: '::1', remotePort: 18081 },
  },
  {
    file: 'debian12-proc-net-udp.txt',
    parse: (t) => parseProcNet(t, 'udp'),
    state: 'complete',
    count: 1,
    expect: { localPort: 15353, localAddress: '127.0.0.1', proto: 'udp', state: 'UNCONN' },
  },
  { file: 'solaris11-netstat-an.txt', parse: parseNetstat, state: 'unsupported', count: 0 },
  { file: 'solaris11-netstat-an.txt', parse: parseSs, state: 'unsupported', count: 0 },
  {
    file: 'solaris11-netstat-an.txt',
    parse: (t) => parseProcNet(t, 'tcp'),
    state: 'unsupported',
    count: 0,
  },
];

for (const c of cases) {
  test(`socket parsers read ${c.file} as ${c.state}${c.expect ? ` (port ${c.expect.localPort})` : ''}`, () => {
    const result = c.parse(read(c.file));
    assert.equal(result.state, c.state, result.warnings.join('; '));
    if (c.count !== undefined) assert.equal(result.data.length, c.count);
    if (c.expect !== undefined) {
      const e = c.expect;
      const found = result.data.find(
        (s) =>
          s.localPort === e.localPort &&
          (e.remotePort === undefined || s.remotePort === e.remotePort),
      );
      assert.ok(found, `port ${e.localPort} missing`);
      for (const [k, v] of Object.entries(e))
        assert.deepEqual(found[k as keyof ConnectionInfo], v, k);
    }
  });
}

test('socket parsers agree on the real Debian 12 capture', () => {
  const key = (s: ConnectionInfo): string =>
    `${s.proto} ${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort} ${s.state}`;
  const ss = parseSs(read('debian12-ss-tunapH.txt')).data.map(key).sort();
  const netstat = parseNetstat(read('debian12-netstat-tunap.txt')).data.map(key).sort();
  const proc = [
    ...parseProcNet(read('debian12-proc-net-tcp.txt'), 'tcp').data,
    ...parseProcNet(read('debian12-proc-net-tcp6.txt'), 'tcp').data,
    ...parseProcNet(read('debian12-proc-net-udp.txt'), 'udp').data,
  ]
    .map(key)
    .sort();
  assert.deepEqual(netstat, ss);
  assert.deepEqual(proc, ss);
});

test('parseSs tolerates CRLF, garbage and a truncated last line', () => {
  const text =
    'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=812,fd=3))\r\n\uFFFD\uFFFD\r\ntcp ESTAB 0 0 10.0.0.1:22 10.0.';
  const result = parseSs(text);
  assert.equal(result.state, 'partial');
  assert.deepEqual(
    result.data.map((s) => s.localPort),
    [22],
  );
});

test('parseSs caps a flood of sockets', () => {
  const line = 'tcp ESTAB 0 0 10.0.0.1:40000 10.0.0.2:443\n';
  const result = parseSs(line.repeat(MAX_ITEMS + 3));
  assert.equal(result.state, 'partial');
  assert.equal(result.data.length, MAX_ITEMS);
});

test('connectionRelationships turns the centos7 capture into inbound and outbound evidence', () => {
  const rels = connectionRelationships(parseSs(read('centos7-ss-tunap-header.txt')).data);
  assert.deepEqual(rels, [
    {
      type: 'connected_to',
      target: '10.20.0.2',
      evidence: {
        source: 'ssh',
        direction: 'inbound',
        proto: 'tcp',
        localAddress: '10.20.0.15',
        localPort: 22,
        remoteAddress: '10.20.0.2',
        remotePort: null,
        process: 'sshd',
        pid: 2201,
        count: 1,
      },
    },
    {
      type: 'connected_to',
      target: '::ffff:10.20.0.31',
      evidence: {
        source: 'ssh',
        direction: 'inbound',
        proto: 'tcp',
        localAddress: '::ffff:10.20.0.15',
        localPort: 3306,
        remoteAddress: '::ffff:10.20.0.31',
        remotePort: null,
        process: 'mysqld',
        pid: 1401,
        count: 2,
      },
    },
    {
      type: 'depends_on',
      target: '10.20.0.40',
      evidence: {
        source: 'ssh',
        direction: 'outbound',
        proto: 'tcp',
        localAddress: '10.20.0.15',
        localPort: null,
        remoteAddress: '10.20.0.40',
        remotePort: 5432,
        process: 'java',
        pid: 1888,
        count: 1,
      },
    },
    {
      type: 'depends_on',
      target: '10.20.0.53',
      evidence: {
        source: 'ssh',
        direction: 'outbound',
        proto: 'tcp',
        localAddress: '10.20.0.15',
        localPort: null,
        remoteAddress: '10.20.0.53',
        remotePort: 389,
        process: 'sssd_be',
        pid: 977,
        count: 1,
      },
    },
  ]);
});

test('connectionRelationships skips loopback unless asked', () => {
  const sockets = parseSs(read('debian12-ss-tunapH.txt')).data;
  assert.deepEqual(connectionRelationships(sockets), []);
  const local = connectionRelationships(sockets, { includeLoopback: true });
  assert.deepEqual(
    local.map((r) => [r.type, r.target, r.evidence['localPort'], r.evidence['remotePort']]).sort(),
    [
      ['connected_to', '127.0.0.1', 18080, null],
      ['connected_to', '::1', 18081, null],
      ['depends_on', '127.0.0.1', null, 18080],
      ['depends_on', '::1', null, 18081],
    ],
  );
});

test('connectionRelationships names the service from the listener when the socket has no pid', () => {
  const rels = connectionRelationships(
    parseNetstat(read('alpine318-busybox-netstat-tunap.txt')).data,
  );
  const inbound = rels.find((r) => r.evidence['direction'] === 'inbound');
  assert.equal(inbound?.target, '172.17.0.1');
  assert.equal(inbound?.evidence['localPort'], 22);
  assert.equal(inbound?.evidence['process'], 'sshd: scanner [');
  const outbound = rels.find((r) => r.evidence['direction'] === 'outbound');
  assert.equal(outbound?.evidence['remotePort'], 6379);
});

test('connectionRelationships respects its cap', () => {
  const many: ConnectionInfo[] = Array.from({ length: 50 }, (_, i) => ({
    proto: 'tcp',
    family: 4,
    localAddress: '10.0.0.1',
    localPort: 40000 + i,
    remoteAddress: `10.0.1.${i}`,
    remotePort: 443,
    state: 'ESTABLISHED',
    pid: null,
    processName: null,
    inode: null,
  }));
  assert.equal(connectionRelationships(many, { max: 10 }).length, 10);
});
