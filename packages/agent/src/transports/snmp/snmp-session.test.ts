// Tests openSnmp/SnmpSession against a real Net-SNMP snmpd started on udp:127.0.0.1 with its own config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScannerError } from '../../errors.js';
import type { SnmpCredential, CredentialSecrets } from '../../vault/credential-types.js';
import {
  openSnmp,
  varbindText,
  type SnmpSession,
  type SnmpSessionOptions,
} from './snmp-session.js';
import { rejectsWithCode } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const SNMPD = '/usr/sbin/snmpd';
const COMMUNITY = 'unit-Community-4';
const AUTH = 'unit-Auth-Pass-4';
const PRIV = 'unit-Priv-Pass-4';
const WRONG = 'unit-Wrong-Pass-4';
const SYS_OIDS = ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0'];
const ALL_SECRETS = [COMMUNITY, AUTH, PRIV, WRONG];

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const rejectsWith = (p: Promise<unknown>, code: string): Promise<ScannerError> =>
  rejectsWithCode(p, code, ALL_SECRETS);

describe(
  'SnmpSession against a real snmpd',
  { skip: !existsSync(SNMPD) && 'snmpd missing' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsl-snmp-unit-'));
    let snmpd: ChildProcess | null = null;
    let port = 0;

    const cred = (over: Partial<SnmpCredential>): SnmpCredential => ({
      id: 'cred-snmp-1',
      name: 'unit snmp',
      kind: 'snmp',
      scope: [],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      version: '2c',
      port,
      ...over,
    });
    const opts = { timeoutMs: 1000, retries: 0 };
    const signal = () => AbortSignal.timeout(20_000);
    const sysGet = async (c: SnmpCredential, secrets: CredentialSecrets) => {
      const session = openSnmp('127.0.0.1', { credential: c, secrets }, opts);
      try {
        return await session.get(SYS_OIDS, { signal: signal() });
      } finally {
        session.close();
      }
    };

    /** Runs `fn` on a v2c session with `community`, closed afterwards. */
    const withV2c = async (
      community: string,
      sessionOpts: SnmpSessionOptions,
      body: (s: SnmpSession) => Promise<void>,
    ): Promise<void> => {
      const session = openSnmp(
        '127.0.0.1',
        { credential: cred({}), secrets: { community } },
        sessionOpts,
      );
      try {
        await body(session);
      } finally {
        session.close();
      }
    };

    before(async () => {
      port = await freeUdpPort();
      const users: [string, string, string][] = [
        ['usha', 'SHA', 'AES'],
        ['usha256', 'SHA-256', 'AES-256'],
        ['usha1aes256', 'SHA', 'AES-256'],
        ['usha512', 'SHA-512', 'AES'],
        ['usha384', 'SHA-384', 'AES'],
        ['usha224', 'SHA-224', 'AES'],
        ['udes', 'SHA', 'DES'],
        ['usha256des', 'SHA-256', 'DES'],
        ['uaes192', 'SHA', 'AES-192'],
        ['usha512aes192', 'SHA-512', 'AES-192'],
      ];
      writeFileSync(
        join(dir, 'snmpd.conf'),
        [
          `agentAddress udp:127.0.0.1:${port}`,
          `rocommunity ${COMMUNITY} 127.0.0.1`,
          ...users.flatMap(([u, a, p]) => [
            `createUser ${u} ${a} "${AUTH}" ${p} "${PRIV}"`,
            `rouser ${u} priv`,
          ]),
          `createUser umd5des MD5 "${AUTH}" DES "${PRIV}"`,
          'rouser umd5des priv',
          `createUser umd5 MD5 "${AUTH}"`,
          'rouser umd5 auth',
          'createUser unoauth',
          'rouser unoauth noauth',
          'sysName unit-snmpd',
          '',
        ].join('\n'),
      );
      snmpd = spawn(SNMPD, ['-f', '-C', '-I', '-smux', '-Le', '-c', join(dir, 'snmpd.conf')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          MIBS: '',
          MIBDIRS: join(dir, 'no-mibs'),
          SNMP_PERSISTENT_DIR: join(dir, 'persist'),
        },
      });
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        snmpd?.stderr?.on('data', (d: Buffer) => {
          seen += d.toString();
          if (/NET-SNMP version/.test(seen)) resolve();
        });
        snmpd?.once('exit', (code) => reject(new Error(`snmpd exited (${code}): ${seen}`)));
      });
    });

    after(async () => {
      await stopChild(snmpd);
      rmSync(dir, { recursive: true, force: true });
    });

    test('v2c get returns sysName, sysDescr and sysObjectID', async () => {
      const vbs = await sysGet(cred({ version: '2c' }), { community: COMMUNITY });
      assert.equal(vbs.length, 3);
      assert.equal(varbindText(vbs[0]!), 'unit-snmpd');
      assert.equal(vbs[0]!.type, 'OctetString');
      assert.equal(vbs[2]!.type, 'OID');
      assert.match(String(vbs[2]!.value), /^1\.3\.6\.1\.4\.1\./);
    });

    test('v1 get works with the community', async () => {
      const vbs = await sysGet(cred({ version: '1' }), { community: COMMUNITY });
      assert.equal(varbindText(vbs[0]!), 'unit-snmpd');
    });

    test('a missing object comes back as NoSuchObject with a null value', async () => {
      await withV2c(COMMUNITY, opts, async (session) => {
        const [vb] = await session.get(['1.3.6.1.4.1.99999.1.0'], { signal: signal() });
        assert.ok(vb && ['NoSuchObject', 'NoSuchInstance'].includes(vb.type));
        assert.equal(vb.value, null);
        assert.equal(varbindText(vb), null);
      });
    });

    test('v2c with a wrong community times out (the agent stays silent) without leaking it', async () => {
      const err = await rejectsWith(
        sysGet(cred({ version: '2c' }), { community: WRONG }),
        'ERR_TIMEOUT',
      );
      assert.match(err.message, /timed out after 1000ms × 1 tries/);
      assert.match(err.message, /wrong community/);
    });

    for (const [user, auth, priv] of [
      ['usha', 'sha', 'aes'],
      ['usha256', 'sha256', 'aes256'],
      ['usha1aes256', 'sha', 'aes256'],
      ['usha512', 'sha512', 'aes'],
      ['usha384', 'sha384', 'aes'],
      ['usha224', 'sha224', 'aes'],
    ] as const) {
      test(`v3 authPriv ${auth}/${priv} reads sysName`, async () => {
        const vbs = await sysGet(
          cred({
            version: '3',
            username: user,
            securityLevel: 'authPriv',
            authProtocol: auth,
            privProtocol: priv,
          }),
          { authPassword: AUTH, privPassword: PRIV },
        );
        assert.equal(varbindText(vbs[0]!), 'unit-snmpd');
      });
    }

    test('v3 authNoPriv md5 and noAuthNoPriv read sysName', async () => {
      const a = await sysGet(
        cred({ version: '3', username: 'umd5', securityLevel: 'authNoPriv', authProtocol: 'md5' }),
        { authPassword: AUTH },
      );
      assert.equal(varbindText(a[0]!), 'unit-snmpd');
      const n = await sysGet(
        cred({ version: '3', username: 'unoauth', securityLevel: 'noAuthNoPriv' }),
        {},
      );
      assert.equal(varbindText(n[0]!), 'unit-snmpd');
    });

    test('v3 with a wrong authentication password is ERR_AUTH_FAILED without leaking secrets', async () => {
      const err = await rejectsWith(
        sysGet(
          cred({
            version: '3',
            username: 'usha',
            securityLevel: 'authPriv',
            authProtocol: 'sha',
            privProtocol: 'aes',
          }),
          { authPassword: WRONG, privPassword: PRIV },
        ),
        'ERR_AUTH_FAILED',
      );
      assert.match(err.message, /Wrong Digest/);
    });

    test('v3 with an unknown user is ERR_AUTH_FAILED', async () => {
      const err = await rejectsWith(
        sysGet(
          cred({
            version: '3',
            username: 'nobody',
            securityLevel: 'authPriv',
            authProtocol: 'sha',
            privProtocol: 'aes',
          }),
          { authPassword: AUTH, privPassword: PRIV },
        ),
        'ERR_AUTH_FAILED',
      );
      assert.match(err.message, /Unknown User Name/);
    });

    test('v3 asking more security than the user has is ERR_AUTH_FAILED', async () => {
      await rejectsWith(
        sysGet(
          cred({
            version: '3',
            username: 'umd5',
            securityLevel: 'authPriv',
            authProtocol: 'md5',
            privProtocol: 'aes',
          }),
          { authPassword: AUTH, privPassword: PRIV },
        ),
        'ERR_AUTH_FAILED',
      );
    });

    for (const [user, priv] of [
      ['usha', 'aes'],
      ['udes', 'des'],
    ] as const) {
      test(`v3 ${priv} with a wrong privacy password times out (the agent drops what it cannot decrypt)`, async () => {
        const c = cred({
          version: '3',
          username: user,
          securityLevel: 'authPriv',
          authProtocol: 'sha',
          privProtocol: priv,
        });
        await rejectsWith(sysGet(c, { authPassword: AUTH, privPassword: WRONG }), 'ERR_TIMEOUT');
      });
    }

    // DES runs in plain TypeScript (des.ts), AES-192 with Blumenthal key extension: snmpd's
    // "DES" and "AES-192" users must decrypt what we send and we what they answer.
    for (const [user, auth, priv] of [
      ['udes', 'sha', 'des'],
      ['umd5des', 'md5', 'des'],
      ['usha256des', 'sha256', 'des'],
      ['uaes192', 'sha', 'aes192'],
      ['usha512aes192', 'sha512', 'aes192'],
    ] as const) {
      test(`v3 authPriv ${auth}/${priv} reads sysName and walks the system group`, async () => {
        const c = cred({
          version: '3',
          username: user,
          securityLevel: 'authPriv',
          authProtocol: auth,
          privProtocol: priv,
        });
        const secrets = { authPassword: AUTH, privPassword: PRIV };
        const vbs = await sysGet(c, secrets);
        assert.equal(varbindText(vbs[0]!), 'unit-snmpd');
        const session = openSnmp('127.0.0.1', { credential: c, secrets }, opts);
        try {
          const walked = await session.walk('1.3.6.1.2.1.1', { signal: signal() });
          assert.equal(walked.error, null);
          assert.ok(walked.varbinds.some((vb) => varbindText(vb) === 'unit-snmpd'));
        } finally {
          session.close();
        }
      });
    }

    test('v2c walk reads the subtree in OID order and stops at its end', async () => {
      await withV2c(COMMUNITY, { ...opts, maxRepetitions: 7 }, async (session) => {
        const r = await session.walk('1.3.6.1.2.1.1', { signal: signal() });
        assert.equal(r.error, null);
        assert.equal(r.truncated, false);
        assert.ok(r.varbinds.length > 10, `only ${r.varbinds.length} varbinds`);
        assert.ok(r.varbinds.every((vb) => vb.oid.startsWith('1.3.6.1.2.1.1.')));
        const names = r.varbinds.map((vb) => vb.oid);
        assert.deepEqual(names, [...new Set(names)]);
        assert.equal(
          varbindText(r.varbinds.find((vb) => vb.oid === '1.3.6.1.2.1.1.5.0')!),
          'unit-snmpd',
        );
      });
    });

    test('v1 walk (GETNEXT) reads the same varbinds as a v2c walk (GETBULK)', async () => {
      const walkWith = async (version: '1' | '2c') => {
        const session = openSnmp(
          '127.0.0.1',
          { credential: cred({ version }), secrets: { community: COMMUNITY } },
          opts,
        );
        try {
          return await session.walk('1.3.6.1.2.1.2', { signal: signal() });
        } finally {
          session.close();
        }
      };
      const [v1, v2] = [await walkWith('1'), await walkWith('2c')];
      assert.equal(v1.error, null);
      // v1 has no Counter64: the same objects minus none here (the interfaces table has none).
      assert.deepEqual(
        v1.varbinds.map((vb) => vb.oid),
        v2.varbinds.map((vb) => vb.oid),
      );
    });

    test('a walk past the last object ends empty, and a walk capped at 5 is truncated', async () => {
      await withV2c(COMMUNITY, opts, async (session) => {
        const none = await session.walk('1.3.6.1.4.1.99999', { signal: signal() });
        assert.deepEqual(none, { varbinds: [], truncated: false, error: null });
        const capped = await session.walk('1.3.6.1.2.1', { signal: signal(), maxVarbinds: 5 });
        assert.equal(capped.varbinds.length, 5);
        assert.equal(capped.truncated, true);
        assert.equal(capped.error, null);
      });
    });

    test('walkMany walks several subtrees and keeps each result in order', async () => {
      await withV2c(COMMUNITY, opts, async (session) => {
        const roots = ['1.3.6.1.2.1.1', '1.3.6.1.2.1.2', '1.3.6.1.2.1.4', '1.3.6.1.2.1.11'];
        const results = await session.walkMany(roots, { signal: signal() });
        assert.equal(results.length, roots.length);
        results.forEach((r, i) => {
          assert.equal(r.error, null);
          assert.ok(r.varbinds.length > 0);
          assert.ok(r.varbinds.every((vb) => vb.oid.startsWith(`${roots[i]}.`)));
        });
      });
    });

    test('a walk with a wrong community rejects with ERR_TIMEOUT like get() does', async () => {
      await withV2c(WRONG, opts, async (session) => {
        await rejectsWith(session.walk('1.3.6.1.2.1.1', { signal: signal() }), 'ERR_TIMEOUT');
      });
    });

    test('a credential without its community or keys is ERR_CONFIG_INVALID', () => {
      const isConfig = (e: unknown) => e instanceof ScannerError && e.code === 'ERR_CONFIG_INVALID';
      assert.throws(
        () => openSnmp('127.0.0.1', { credential: cred({ version: '2c' }), secrets: {} }, opts),
        isConfig,
      );
      assert.throws(
        () =>
          openSnmp(
            '127.0.0.1',
            {
              credential: cred({
                version: '3',
                username: 'usha',
                securityLevel: 'authNoPriv',
                authProtocol: 'sha',
              }),
              secrets: {},
            },
            opts,
          ),
        isConfig,
      );
    });

    test('an aborted get rejects with ERR_ABORTED', async () => {
      const session = openSnmp(
        '127.0.0.1',
        { credential: cred({}), secrets: { community: WRONG } },
        opts,
      );
      const ctl = new AbortController();
      const p = session.get(SYS_OIDS, { signal: ctl.signal });
      ctl.abort();
      try {
        await rejectsWith(p, 'ERR_ABORTED');
      } finally {
        session.close();
      }
    });
  },
);
