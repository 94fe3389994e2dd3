// fingerprintSmb against real Samba smbd instances on loopback high ports (started and stopped here).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasCode } from '../../errors.js';
import { fingerprintSmb, probeSmb } from './smb.js';
import { stopChild } from '../../../../../test/support/child-process.js';
import { freePort } from '../../../../../test/support/ports.js';

const SMBD = '/usr/sbin/smbd';
const skip = !existsSync(SMBD)
  ? `${SMBD} not installed`
  : process.getuid?.() !== 0
    ? 'smbd needs root'
    : false;
const ctx = (timeoutMs = 5000) => ({ signal: new AbortController().signal, timeoutMs });

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1');
  });
}

/** One smbd in its own temp dir and process group; `stop()` ends the group by its id. */
async function startSmbd(
  name: string,
  extra: string[],
): Promise<{ ports: [number, number]; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `nopesight-smbd-${name}-`));
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc', 'log', 'share'])
    mkdirSync(join(dir, d));
  const ports: [number, number] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'smb.conf'),
    [
      '[global]',
      `netbios name = ${name}`,
      'workgroup = UNITGRP',
      `smb ports = ${ports[0]} ${ports[1]}`,
      'interfaces = 127.0.0.1',
      'bind interfaces only = yes',
      `private dir = ${join(dir, 'private')}`,
      `lock directory = ${join(dir, 'lock')}`,
      `state directory = ${join(dir, 'state')}`,
      `cache directory = ${join(dir, 'cache')}`,
      `pid directory = ${join(dir, 'pid')}`,
      `ncalrpc dir = ${join(dir, 'ncalrpc')}`,
      `log file = ${join(dir, 'log', 'log.%m')}`,
      'load printers = no',
      'disable spoolss = yes',
      'rpc start on demand helpers = no',
      ...extra,
      '[share]',
      `path = ${join(dir, 'share')}`,
      '',
    ].join('\n'),
  );
  // Its own process group, so Samba's shutdown of its children never reaches the test runner.
  const child: ChildProcess = spawn(
    SMBD,
    ['-F', '--no-process-group', '-s', join(dir, 'smb.conf')],
    { detached: true, stdio: 'ignore' },
  );
  const stop = async (): Promise<void> => {
    await stopChild(child, { group: true });
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !(await connects(ports[0])); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await connects(ports[0]))) {
    await stop();
    throw new Error(`smbd ${name} did not listen on ${ports[0]}`);
  }
  return { ports, stop };
}

describe('fingerprintSmb against Samba on loopback', { skip }, () => {
  let plain: Awaited<ReturnType<typeof startSmbd>>;
  let strict: Awaited<ReturnType<typeof startSmbd>>;

  before(async () => {
    plain = await startSmbd('NOPEUNIT', []);
    strict = await startSmbd('NOPESTRICT', [
      'server signing = mandatory',
      'server max protocol = SMB2_10',
    ]);
  });
  after(async () => {
    await plain?.stop();
    await strict?.stop();
  });

  test('reads dialect 3.1.1, optional signing and the NTLM names and version', async () => {
    const r = await probeSmb('127.0.0.1', plain.ports[0], ctx());
    assert.equal(r.facts.dialect, '3.1.1');
    assert.equal(r.facts.signingRequired, false);
    assert.equal(r.facts.osBuild, '6.1.0');
    assert.equal(r.facts.netbiosComputerName, 'NOPEUNIT');
    assert.equal(r.facts.netbiosDomainName, 'NOPEUNIT'); // a standalone server names itself
    assert.ok(r.facts.dnsComputerName);
    assert.ok(!Number.isNaN(Date.parse(r.facts.serverTime!)));
    assert.match(r.serverGuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(r.capabilities.includes('largeMtu'));
    assert.equal(r.challenge?.targetName, 'NOPEUNIT');
  });

  test('reads dialect 2.1 and mandatory signing from a stricter server', async () => {
    const facts = await fingerprintSmb('127.0.0.1', strict.ports[0], ctx());
    assert.equal(facts.dialect, '2.1');
    assert.equal(facts.signingRequired, true);
    assert.equal(facts.netbiosComputerName, 'NOPESTRICT');
  });

  test('works over a NetBIOS session calling *SMBSERVER', async () => {
    const r = await probeSmb('127.0.0.1', plain.ports[1], ctx(), { transport: 'netbios' });
    assert.equal(r.facts.dialect, '3.1.1');
    assert.equal(r.facts.netbiosComputerName, 'NOPEUNIT');
  });

  test('a closed port is ERR_PORT_CLOSED', async () => {
    await assert.rejects(fingerprintSmb('127.0.0.1', await freePort(), ctx()), (e) =>
      hasCode(e, 'ERR_PORT_CLOSED'),
    );
  });
});

describe('fingerprintSmb against faulty peers', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  /** Samba's captured NEGOTIATE response (transports/smb2/testdata), framed for port 445. */
  function negotiateFrame(): Buffer {
    const text = readFileSync(
      new URL('../../transports/smb2/testdata/samba-4.17-negotiate-response.hex', import.meta.url),
      'utf8',
    );
    const msg = Buffer.from(
      text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('')
        .trim(),
      'hex',
    );
    return Buffer.concat([Buffer.from([0, 0, msg.length >> 8, msg.length & 0xff]), msg]);
  }

  /** A peer that answers the n-th frame it receives with replies[n] (undefined: stay silent). */
  async function scripted(replies: (Buffer | undefined)[]): Promise<number> {
    const server = createServer((s) => {
      s.on('error', () => undefined);
      let n = 0;
      s.on('data', () => {
        const r = replies[n++];
        if (r) s.write(r);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  test('an error status to SESSION_SETUP keeps the negotiate facts and says why', async () => {
    const denied = Buffer.alloc(64 + 9);
    Buffer.from([0xfe, 0x53, 0x4d, 0x42, 64]).copy(denied);
    denied.writeUInt32LE(0xc0000022, 8);
    denied.writeUInt16LE(1, 12); // SESSION_SETUP
    denied.writeUInt32LE(1, 16); // response
    denied.writeUInt16LE(9, 64);
    const port = await scripted([
      negotiateFrame(),
      Buffer.concat([Buffer.from([0, 0, 0, denied.length]), denied]),
    ]);
    const r = await probeSmb('127.0.0.1', port, ctx(2000));
    assert.equal(r.facts.dialect, '3.1.1');
    assert.equal(r.facts.osBuild, undefined);
    assert.equal(r.challenge, null);
    assert.equal(r.challengeError, 'SESSION_SETUP status 0xC0000022');
  });

  test('a peer silent after NEGOTIATE gives partial facts with the timeout as the reason', async () => {
    const port = await scripted([negotiateFrame()]);
    const r = await probeSmb('127.0.0.1', port, ctx(300));
    assert.equal(r.facts.signingRequired, false);
    assert.match(r.challengeError ?? '', /session setup timed out/);
  });

  test('a peer silent at NEGOTIATE gives ERR_TIMEOUT naming the phase and the fingerprint limit', async () => {
    const port = await scripted([]);
    await assert.rejects(
      fingerprintSmb('127.0.0.1', port, ctx(200)),
      (e) =>
        hasCode(e, 'ERR_TIMEOUT') &&
        /negotiate timed out.*SMB fingerprint limit 200 ms/.test((e as Error).message),
    );
  });

  test('an SMB1-only answer is ERR_PROTOCOL', async () => {
    const smb1 = Buffer.concat([
      Buffer.from([0, 0, 0, 40, 0xff, 0x53, 0x4d, 0x42]),
      Buffer.alloc(36),
    ]);
    const port = await scripted([smb1]);
    await assert.rejects(
      fingerprintSmb('127.0.0.1', port, ctx(2000)),
      (e) => hasCode(e, 'ERR_PROTOCOL') && /SMB1/.test((e as Error).message),
    );
  });
});
