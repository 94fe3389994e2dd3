// DCE/RPC against the lab's Samba: ept_map and calls over TCP, the six interfaces over SMB2 pipes
// with NTLM at integrity and privacy, compared with what Samba's own tools say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath, runOnLabHost } from '../../../../../test/lab/lab.js';
import { Smb2Client, type Smb2Tree } from '../smb2/smb2-client.js';
import { bindOverTcp, eptMapTcpPort } from './interfaces/epm.js';
import { LSARPC, LsaPolicy, SID_TYPE } from './interfaces/lsarpc.js';
import { SAMR, SamServer } from './interfaces/samr.js';
import { netrServerGetInfo, netrShareEnum, SRVSVC } from './interfaces/srvsvc.js';
import { CURRENT_STATE, ServiceManager, SVCCTL, SC_MANAGER_CREATE } from './interfaces/svcctl.js';
import { RegistryKey, REG_TYPE, WINREG } from './interfaces/winreg.js';
import { netrWkstaGetInfo, WKSSVC } from './interfaces/wkssvc.js';
import { AUTH_LEVEL, type AuthLevel } from './pdu.js';
import { ntlmMechanism } from './rpc-auth.js';
import type { RpcClientOptions } from './rpc-client.js';
import { bindOverPipe } from './pipe-transport.js';

const host = HOSTS.smb;
const creds = { username: SMB.username, domain: SMB.workgroup, password: SMB.password };
const conf = labStatePath('smb', 'smb.conf');
const auth = (level: AuthLevel, password: string = SMB.password): RpcClientOptions => ({
  timeoutMs: 10_000,
  auth: { level, mechanism: ntlmMechanism({ ...creds, password }) },
});
const samba = (cmd: string): Promise<string> => runOnLabHost('smbd', cmd);

async function withIpc<T>(fn: (ipc: Smb2Tree) => Promise<T>): Promise<T> {
  const call = { signal: new AbortController().signal, timeoutMs: 10_000 };
  const c = await Smb2Client.connect(host, 445, call);
  try {
    await c.login(creds);
    return await fn(await c.treeConnect('IPC$'));
  } finally {
    c.close();
  }
}

test(
  'ept_map finds srvsvc, lsarpc and winreg on TCP ports; svcctl is not registered',
  labOnly(),
  async () => {
    const listening = await samba("ss -Hltn | awk '{print $4}'");
    for (const iface of [SRVSVC, LSARPC, WINREG]) {
      const port = await eptMapTcpPort(host, iface, { timeoutMs: 10_000 });
      assert.ok(
        listening.includes(`${host}:${port}`),
        `${iface.name} port ${port} is one samba-dcerpcd listens on`,
      );
    }
    await assert.rejects(eptMapTcpPort(host, SVCCTL, { timeoutMs: 10_000 }), {
      code: 'ERR_RPC',
      message: /ept_s_not_registered/,
    });
  },
);

for (const level of [AUTH_LEVEL.integrity, AUTH_LEVEL.privacy] as const) {
  test(
    `over TCP with NTLM at level ${level}: srvsvc, wkssvc (alter_context) and samr`,
    labOnly(),
    async () => {
      const rpc = await bindOverTcp(host, SRVSVC, auth(level));
      try {
        const info = await netrServerGetInfo(rpc, 102);
        assert.equal(info.name, SMB.netbiosName);
        assert.equal(
          info.comment,
          (await samba(`testparm -s --parameter-name='server string' ${conf} 2>/dev/null`)).trim(),
        );
        const shares = (await netrShareEnum(rpc)).map((s) => s.name).sort();
        const configured = await samba(
          `net -s ${conf} conf listshares 2>/dev/null; testparm -s ${conf} 2>/dev/null | sed -n 's/^\\[\\(.*\\)\\]$/\\1/p'`,
        );
        for (const s of shares.filter((n) => n !== 'IPC$'))
          assert.ok(configured.includes(s), `${s} is a configured share`);
        assert.ok(shares.includes('IPC$'));
        const wks = await rpc.alterContext(WKSSVC);
        const w = await netrWkstaGetInfo(rpc, { contextId: wks });
        assert.deepEqual([w.computerName, w.langroup], [SMB.netbiosName, SMB.workgroup]);
      } finally {
        await rpc.close();
      }
      const sam = await bindOverTcp(host, SAMR, auth(level));
      try {
        const server = await SamServer.connect(sam);
        const domains = await server.enumDomains();
        assert.deepEqual(domains.sort(), ['Builtin', SMB.netbiosName].sort());
        const sid = await server.lookupDomain(SMB.netbiosName);
        const netSid = (await samba(`net -s ${conf} getlocalsid 2>/dev/null`))
          .trim()
          .split(' ')
          .at(-1);
        assert.equal(sid, netSid);
        const dom = await server.openDomain(sid);
        const users = await dom.enumUsers();
        const pdb = (await samba(`pdbedit -s ${conf} -L 2>/dev/null`)).trim().split('\n');
        assert.deepEqual(users.map((u) => u.name).sort(), pdb.map((l) => l.split(':')[0]).sort());
        const me = await dom.user(users[0]!.rid);
        const verbose = await samba(`pdbedit -s ${conf} -v -u ${SMB.username} 2>/dev/null`);
        assert.equal(me.fullName, /Full Name:\s*(.*)/.exec(verbose)?.[1]?.trim());
        assert.equal(me.accountControl & 0x1, 0, 'not disabled');
        await dom.close();
        await server.close();
      } finally {
        await sam.close();
      }
    },
  );
}

test('a wrong password over TCP is ERR_AUTH_FAILED on the first call', labOnly(), async () => {
  const rpc = await bindOverTcp(host, SRVSVC, auth(AUTH_LEVEL.privacy, 'Wrong-Pass-1'));
  try {
    await assert.rejects(netrServerGetInfo(rpc, 101), { code: 'ERR_AUTH_FAILED' });
  } finally {
    await rpc.close();
  }
});

test(
  'over SMB2 pipes: winreg reads the planted Uninstall tree and CurrentVersion',
  labOnly(),
  async () => {
    await withIpc(async (ipc) => {
      const rpc = await bindOverPipe(ipc, 'winreg', WINREG, auth(AUTH_LEVEL.privacy));
      try {
        const hklm = await RegistryKey.openLocalMachine(rpc);
        const un = await hklm.openKey('SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall');
        assert.ok(un, 'the planted Uninstall key exists');
        const names = await un.subKeys();
        const fromNet = await samba(
          `net -s ${conf} registry enumerate 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' 2>/dev/null | sed -n 's/^Keyname *= //p'`,
        );
        assert.deepEqual(names.sort(), fromNet.trim().split('\n').sort());
        assert.ok(names.includes('NsLabEditor') && names.includes('NsLabAgent'));
        const agent = await un.openKey('NsLabAgent');
        const values = Object.fromEntries((await agent!.values()).map((v) => [v.name, v.value]));
        assert.deepEqual(values, {
          DisplayName: 'NopeSight Lab Agent (x64)',
          DisplayVersion: '10.0.19041',
          Publisher: 'Contoso Ltd.',
          InstallDate: '20231201',
          EstimatedSize: 2048,
        });
        const editor = await un.openKey('NsLabEditor');
        const dv = await editor!.value('DisplayVersion');
        assert.deepEqual([dv?.type, dv?.value], [REG_TYPE.sz, '2.4.1']);
        assert.equal(await editor!.value('NoSuchValue'), null);
        const info = await editor!.info();
        assert.equal(info.values, 4);
        assert.equal(await hklm.openKey('SOFTWARE\\NoSuchVendor'), null);
        const cv = await hklm.openKey('SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion');
        assert.equal((await cv!.value('CurrentVersion'))?.value, '6.1');
        for (const k of [cv!, editor!, agent!, un, hklm]) await k.close();
      } finally {
        await rpc.close();
      }
    });
  },
);

test(
  'over SMB2 pipes: svcctl lists services with state and config; creating one is refused',
  labOnly(),
  async () => {
    await withIpc(async (ipc) => {
      const rpc = await bindOverPipe(ipc, 'svcctl', SVCCTL, auth(AUTH_LEVEL.integrity));
      try {
        const scm = await ServiceManager.open(rpc);
        const services = await scm.services();
        const names = services.map((s) => s.name);
        assert.ok(names.includes('Spooler') && names.includes('RemoteRegistry'), names.join(','));
        assert.equal(
          services.find((s) => s.name === 'RemoteRegistry')?.status.currentState,
          CURRENT_STATE.running,
        );
        const spooler = await scm.open('Spooler');
        const config = await spooler.config();
        assert.equal(config.displayName, 'Print Spooler');
        assert.equal(config.startName, 'LocalSystem');
        const listed = services.find((s) => s.name === 'Spooler')!.status;
        assert.deepEqual(
          await spooler.status(),
          listed,
          'RQueryServiceStatus agrees with the enumeration',
        );
        await spooler.close();
        await assert.rejects(scm.open('NoSuchService'), {
          code: 'ERR_RPC',
          message: /ERROR_SERVICE_DOES_NOT_EXIST/,
        });
        await scm.close();
        // Samba cannot create services: asking for create access is refused up front.
        await assert.rejects(ServiceManager.open(rpc, {}, SC_MANAGER_CREATE), {
          code: 'ERR_ACCESS_DENIED',
        });
      } finally {
        await rpc.close();
      }
    });
  },
);

test(
  'over SMB2 pipes: lsarpc domain facts and lookups agree with net and pdbedit',
  labOnly(),
  async () => {
    await withIpc(async (ipc) => {
      const rpc = await bindOverPipe(ipc, 'lsarpc', LSARPC, auth(AUTH_LEVEL.privacy));
      try {
        const lsa = await LsaPolicy.open(rpc);
        const account = await lsa.accountDomain();
        const primary = await lsa.primaryDomain();
        const netSid = (await samba(`net -s ${conf} getlocalsid 2>/dev/null`))
          .trim()
          .split(' ')
          .at(-1);
        assert.deepEqual(account, { name: SMB.netbiosName, sid: netSid });
        assert.deepEqual(
          primary,
          { name: SMB.workgroup, sid: null },
          'a workgroup member has no domain SID',
        );
        const [sid] = await lsa.lookupNames([SMB.username]);
        const uidSid = /User SID:\s*(\S+)/.exec(
          await samba(`pdbedit -s ${conf} -v -u ${SMB.username} 2>/dev/null`),
        )?.[1];
        assert.equal(sid?.sid, uidSid);
        const names = await lsa.lookupSids([uidSid!, 'S-1-5-32-544']);
        assert.deepEqual(names, [
          { use: SID_TYPE.user, name: SMB.username, domain: SMB.netbiosName },
          { use: SID_TYPE.alias, name: 'Administrators', domain: 'BUILTIN' },
        ]);
        await lsa.close();
        // srvsvc and wkssvc over pipes too (one SMB2 session, several pipes).
        const srv = await bindOverPipe(ipc, 'srvsvc', SRVSVC, auth(AUTH_LEVEL.integrity));
        assert.equal((await netrServerGetInfo(srv, 101)).name, SMB.netbiosName);
        await srv.close();
        const wks = await bindOverPipe(ipc, 'wkssvc', WKSSVC, auth(AUTH_LEVEL.integrity));
        assert.equal((await netrWkstaGetInfo(wks)).langroup, SMB.workgroup);
        await wks.close();
      } finally {
        await rpc.close();
      }
    });
  },
);
