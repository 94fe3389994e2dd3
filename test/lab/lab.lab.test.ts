// Self-test of the lab, run inside the scanner namespace: every service answers, the network shapes hold.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Client } from 'ssh2';
import {
  BULK_COUNT,
  BULK_PORTS,
  HOSTNAMES,
  HOSTS,
  SMB,
  SNMP,
  SNMPD_SYSTEM,
  SNMPSIM_COMMUNITIES,
  SSH2_HTTP_PORT,
  SSH2_OS,
  SSH2_USERS,
  SSH_USERS,
  VCENTER,
  VCENTER_TLS,
  bulkAddress,
  bulkOpenPorts,
  dropAddress,
  labMacAddress,
  sshKeyPath,
} from './lab-hosts.js';
import { labOnly, readGreeting, runOnLabHost, runTool, tcpProbe } from './lab.js';

const SYS_NAME = '1.3.6.1.2.1.1.5.0';

async function snmpGetValue(args: string[]): Promise<string> {
  const out = await runTool('snmpget', ['-On', '-Oqv', '-t', '2', '-r', '1', ...args, SYS_NAME]);
  return out.trim().replace(/^"|"$/g, '');
}

/** Runs one command over SSH; resolves with exit code and output, rejects when login fails. */
function sshExec(
  login: { username: string; password?: string; privateKey?: Buffer },
  command: string,
  host: string = HOSTS.ssh,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (out += d.toString()));
        stream.on('close', (code: number | null) => {
          c.end();
          resolve({ code, out });
        });
      });
    });
    c.on('error', reject);
    c.connect({ host, readyTimeout: 8000, ...login });
  });
}

/** One HTTPS request to the vCenter simulator, verifying its certificate with the lab's CA file. */
function vcenterPost(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOSTS.vcenter,
        port: 443,
        path: '/sdk',
        method: 'POST',
        ca: readFileSync(VCENTER_TLS.certPath),
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:vim25/7.0' },
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('vcenter request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const loginBody = (user: string, password: string): string =>
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:vim25">' +
  '<soapenv:Body><urn:Login><urn:_this type="SessionManager">SessionManager</urn:_this>' +
  `<urn:userName>${user}</urn:userName><urn:password>${password}</urn:password>` +
  '</urn:Login></soapenv:Body></soapenv:Envelope>';

describe('lab ssh host', labOnly(), () => {
  test('sshd sends an SSH-2.0 banner', async () => {
    assert.match(await readGreeting(HOSTS.ssh, 22), /^SSH-2\.0-OpenSSH/);
  });
  test('admin logs in with a password and has passwordless sudo', async () => {
    const r = await sshExec(SSH_USERS.admin, 'id -un; sudo -n id -un');
    assert.equal(r.out, `${SSH_USERS.admin.username}\nroot\n`);
  });
  test('key-only user logs in with the generated key and is refused a password', async () => {
    const privateKey = readFileSync(sshKeyPath);
    const r = await sshExec({ username: SSH_USERS.keyOnly.username, privateKey }, 'id -un');
    assert.equal(r.out.trim(), SSH_USERS.keyOnly.username);
    await assert.rejects(
      sshExec({ username: SSH_USERS.keyOnly.username, password: 'anything' }, 'true'),
    );
  });
  test('plain user logs in with a password and has no sudo', async () => {
    const r = await sshExec(
      SSH_USERS.plain,
      'id -un; sudo -n true && echo SUDO-OK || echo NO-SUDO',
    );
    assert.equal(
      r.out
        .split('\n')
        .filter((l) => /^(lab|SUDO|NO-)/.test(l))
        .join(' '),
      `${SSH_USERS.plain.username} NO-SUDO`,
    );
  });
});

describe('lab ssh2 host (second OS identity)', labOnly(), () => {
  const installed = "dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -c '^.i'";
  test('admin logs in with a password, has passwordless sudo and sees Ubuntu', async () => {
    const r = await sshExec(
      SSH2_USERS.admin,
      'id -un; sudo -n id -un; hostname; . /etc/os-release; echo "$ID $VERSION_ID"',
      HOSTS.ssh2,
    );
    assert.equal(
      r.out,
      `${SSH2_USERS.admin.username}\nroot\n${HOSTNAMES.ssh2}\n${SSH2_OS.id} ${SSH2_OS.versionId}\n`,
    );
  });
  test('dev user logs in with a password and has no sudo; the Debian host users do not exist', async () => {
    const r = await sshExec(
      SSH2_USERS.dev,
      'id -un; sudo -n true 2>/dev/null && echo SUDO-OK || echo NO-SUDO',
      HOSTS.ssh2,
    );
    assert.equal(r.out, `${SSH2_USERS.dev.username}\nNO-SUDO\n`);
    await assert.rejects(sshExec(SSH_USERS.admin, 'true', HOSTS.ssh2));
  });
  test('its dpkg database differs from the Debian host one, and its http listener answers', async () => {
    const mine = Number((await runOnLabHost('sshd2', installed)).trim());
    const first = Number((await runOnLabHost('sshd', installed)).trim());
    assert.ok(mine > 0 && first > 0 && mine !== first, `${mine} vs ${first} packages`);
    assert.equal((await tcpProbe(HOSTS.ssh2, SSH2_HTTP_PORT)).state, 'open');
  });
});

describe('lab snmp hosts', labOnly(), () => {
  test('snmpd answers v2c with the lab community', async () => {
    assert.equal(
      await snmpGetValue(['-v2c', '-c', SNMP.community, HOSTS.snmp]),
      SNMPD_SYSTEM.sysName,
    );
  });
  test('snmpd answers v3 authPriv (SHA/AES)', async () => {
    const v3 = SNMP.v3;
    const args = ['-v3', '-l', 'authPriv', '-u', v3.username, '-a', v3.authProtocol.toUpperCase()];
    args.push('-A', v3.authPassword, '-x', v3.privProtocol.toUpperCase(), '-X', v3.privPassword);
    assert.equal(await snmpGetValue([...args, HOSTS.snmp]), SNMPD_SYSTEM.sysName);
  });
  test('snmpd ignores a wrong community', async () => {
    await assert.rejects(
      runTool('snmpget', ['-v2c', '-c', 'public', '-t', '1', '-r', '0', HOSTS.snmp, SYS_NAME]),
    );
  });
  test('snmpsim serves every recording under its community', async () => {
    for (const [community, rec] of Object.entries(SNMPSIM_COMMUNITIES)) {
      assert.equal(
        await snmpGetValue(['-v2c', '-c', community, HOSTS.snmpsim]),
        rec.sysName,
        community,
      );
    }
  });
});

describe('lab samba host', labOnly(), () => {
  test('smbd accepts on 445 and 139, the endpoint mapper on 135', async () => {
    for (const port of [445, 139, 135]) {
      assert.equal((await tcpProbe(HOSTS.smb, port)).state, 'open', `port ${port}`);
    }
  });
  test('nmbd answers a node status query with the lab names', async () => {
    const out = await runTool('nmblookup', ['-A', HOSTS.smb]);
    assert.match(out, new RegExp(`${SMB.netbiosName}\\s+<20>`));
    assert.match(out, new RegExp(`${SMB.workgroup}\\s+<00> - <GROUP>`));
  });
  test('the lab user lists shares with its password', async () => {
    const out = await runTool('smbclient', [
      '-L',
      `//${HOSTS.smb}`,
      '-U',
      `${SMB.username}%${SMB.password}`,
    ]);
    assert.match(out, /labshare/);
  });
});

describe('lab vcenter simulator', labOnly(), () => {
  test('https /sdk answers with a certificate the lab CA file verifies, and checks the login', async () => {
    const ok = await vcenterPost(loginBody(VCENTER.username, VCENTER.password));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /LoginResponse/);
    const bad = await vcenterPost(loginBody(VCENTER.username, 'wrong'));
    assert.equal(bad.status, 500);
    assert.match(bad.text, /InvalidLogin/);
  });
});

describe('lab network shape', labOnly(), () => {
  test('a sample of bulk addresses has exactly bulkOpenPorts() open', async () => {
    const picks = [0, 1, 8, 9, 254, 255, 256, 511, 512, 767, 998, 999];
    for (let i = 0; i < 40; i++) picks.push(Math.floor(Math.random() * BULK_COUNT));
    await Promise.all(
      picks.map(async (n) => {
        const address = bulkAddress(n);
        const results = await Promise.all(BULK_PORTS.map((p) => tcpProbe(address, p)));
        const open = BULK_PORTS.filter((_, i) => results[i]?.state === 'open');
        assert.deepEqual(open, bulkOpenPorts(address), address);
        for (const [i, r] of results.entries()) {
          assert.ok(
            r.state === 'open' || r.state === 'closed',
            `${address}:${BULK_PORTS[i]} ${r.state}`,
          );
        }
      }),
    );
  });
  test('the bulk /22 beyond BULK_COUNT does not answer', async () => {
    assert.equal((await tcpProbe(bulkAddress(BULK_COUNT), 22, 1000)).state, 'timeout');
  });
  test('a drop address answers ARP but times out', async () => {
    assert.equal((await tcpProbe(dropAddress(5), 22, 1000)).state, 'timeout');
    const neigh = await runTool('ip', ['-4', 'neigh', 'show', dropAddress(5)]);
    assert.match(neigh, new RegExp(`lladdr ${labMacAddress(HOSTS.dropRouter)}`));
  });
  test('an absent address does not answer, not even ARP', async () => {
    const r = await tcpProbe(dropAddress(200), 22, 1500);
    assert.ok(
      r.state === 'timeout' || (r.state === 'error' && r.code === 'EHOSTUNREACH'),
      JSON.stringify(r),
    );
    const neigh = await runTool('ip', ['-4', 'neigh', 'show', dropAddress(200)]);
    assert.doesNotMatch(neigh, /lladdr/);
  });
  test('the absent /16 is blackholed', async () => {
    assert.equal((await tcpProbe('198.19.1.1', 443, 1000)).state, 'timeout');
  });
  test('nothing outside the lab is routable', async () => {
    for (const host of ['192.0.2.1', '8.8.8.8', '10.0.0.1']) {
      const r = await tcpProbe(host, 443, 1000);
      assert.deepEqual(
        r.state === 'error' && r.code,
        'ENETUNREACH',
        `${host}: ${JSON.stringify(r)}`,
      );
      assert.ok(r.ms < 200, `${host} failed in ${r.ms} ms`);
    }
  });
});
