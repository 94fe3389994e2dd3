import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNetstatAno } from './netstat.js';
import { parseTasklistCsv, csvFields } from './tasklist.js';

const data = (name: string) =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').replace(/\n/g, '\r\n');

test('parseTasklistCsv reads an English tasklist /v capture, N/A as null', () => {
  const r = parseTasklistCsv(data('tasklist-v-csv-en.txt'));
  assert.equal(r.state, 'complete');
  assert.equal(r.data.length, 6);
  assert.deepEqual(r.data[1], {
    pid: 12016,
    ppid: null,
    user: 'SIM4\\User',
    name: 'rc-agent.exe',
    commandLine: 'rc-agent.exe',
    startedAt: null,
    cpuPercent: null,
    memoryPercent: null,
    rssKb: 94388,
    sessionName: 'Console',
    sessionId: 1,
    status: 'Running',
    cpuTime: '0:00:29',
    windowTitle: 'Racing Point Lock Screen',
  });
  const system = r.data.find((p) => p.pid === 4)!;
  assert.equal(system.user, null);
  assert.equal(system.rssKb, 26376);
});

test('parseTasklistCsv reads a localised (zh-CN) capture by position and skips the elision line', () => {
  const r = parseTasklistCsv(data('tasklist-v-csv-zh-cn.txt'));
  assert.equal(r.state, 'partial');
  assert.equal(r.data.length, 11);
  assert.deepEqual(r.warnings, ['line 8: not a tasklist /v CSV row']);
  const svc = r.data.find((p) => p.pid === 9488)!;
  assert.equal(svc.user, 'NT AUTHORITY\\LOCAL SERVICE');
  assert.equal(svc.windowTitle, null);
  assert.equal(r.data.find((p) => p.pid === 4)!.user, null);
});

test('parseTasklistCsv says unsupported for text that is not tasklist output', () => {
  const r = parseTasklistCsv('ERROR: Access denied\r\n');
  assert.equal(r.state, 'unsupported');
  assert.deepEqual(r.data, []);
});

test('csvFields handles doubled quotes and rejects an unterminated field', () => {
  assert.deepEqual(csvFields('"a","b ""c""",d'), ['a', 'b "c"', 'd']);
  assert.equal(csvFields('"a","b'), null);
});

test('parseNetstatAno reads an English server capture: TCP with states, UDP, IPv6, PIDs', () => {
  const r = parseNetstatAno(data('netstat-ano-server-en.txt'));
  assert.equal(r.state, 'complete');
  assert.equal(r.data.length, 54);
  assert.deepEqual(
    r.data.find((c) => c.localPort === 49713),
    {
      proto: 'tcp',
      family: 4,
      localAddress: '10.0.1.15',
      localPort: 49713,
      remoteAddress: '40.115.3.253',
      remotePort: 443,
      state: 'ESTABLISHED',
      pid: 2944,
      processName: null,
      inode: null,
    },
  );
  const v6 = r.data.find((c) => c.family === 6 && c.localPort === 445 && c.proto === 'tcp')!;
  assert.deepEqual(
    [v6.localAddress, v6.remoteAddress, v6.state, v6.pid],
    ['::', null, 'LISTEN', 4],
  );
  const udp = r.data.find((c) => c.proto === 'udp' && c.localPort === 137)!;
  assert.deepEqual(
    [udp.localAddress, udp.remoteAddress, udp.state, udp.pid],
    ['10.0.1.15', null, 'UNCONN', 4],
  );
  assert.equal(r.data.filter((c) => c.state === 'LISTEN').length, 33);
});

test('parseNetstatAno reads a capture with a localised header', () => {
  const r = parseNetstatAno(data('netstat-ano-zh-cn.txt'));
  assert.equal(r.state, 'complete');
  assert.equal(r.data.length, 16);
  assert.deepEqual(r.data.map((c) => c.pid).slice(0, 3), [908, 4, 2176]);
});

test('parseNetstatAno skips a malformed row and says partial', () => {
  const r = parseNetstatAno(
    '  TCP    0.0.0.0:135    0.0.0.0:0    LISTENING\r\n  TCP    0.0.0.0:445    0.0.0.0:0    LISTENING    4\r\n',
  );
  assert.equal(r.state, 'partial');
  assert.equal(r.data.length, 1);
});
