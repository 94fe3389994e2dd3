// fingerprintSmb against the lab's Samba, cross-checked with impacket (SMBConnection) and nmap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, runTool } from '../../../../../test/lab/lab.js';
import { probeSmb } from './smb.js';

const ctx = (timeoutMs: number) => ({ signal: new AbortController().signal, timeoutMs });

/** What impacket 0.10 reads from the same server (anonymous login attempt; its result ignored). */
const IMPACKET = `
import json, sys
from impacket.smbconnection import SMBConnection
c = SMBConnection(sys.argv[1], sys.argv[1], sess_port=int(sys.argv[2]), timeout=5)
try:
    c.login('', '')
except Exception:
    pass
print(json.dumps({'signingRequired': bool(c.isSigningRequired()), 'name': c.getServerName(),
  'domain': c.getServerDomain(), 'dnsHost': c.getServerDNSHostName(), 'dnsDomain': c.getServerDNSDomainName(),
  'os': '%d.%d.%d' % (c.getServerOSMajor(), c.getServerOSMinor(), c.getServerOSBuild())}))
`;

test('SMB facts on 445 match impacket’s view of the lab Samba', labOnly(), async () => {
  const r = await probeSmb(HOSTS.smb, 445, ctx(5000));
  const imp = JSON.parse(
    await runTool('/usr/bin/python3', ['-c', IMPACKET, HOSTS.smb, '445'], 30_000),
  ) as Record<string, unknown>;
  assert.equal(r.facts.netbiosComputerName, SMB.netbiosName);
  assert.equal(r.facts.netbiosComputerName, imp.name);
  // impacket reports the NetBIOS domain only when it differs from the computer name.
  const domain =
    r.facts.netbiosDomainName === r.facts.netbiosComputerName ? '' : r.facts.netbiosDomainName;
  assert.equal(domain ?? '', imp.domain);
  assert.equal(r.facts.dnsComputerName, imp.dnsHost);
  assert.equal(r.facts.dnsDomainName ?? '', imp.dnsDomain);
  assert.equal(r.facts.osBuild, imp.os);
  assert.equal(r.facts.signingRequired, imp.signingRequired);
  assert.ok(
    r.facts.serverTime && Math.abs(Date.parse(r.facts.serverTime) - Date.now()) < 24 * 3600_000,
  );
});

test(
  'dialect and signing on 445 match nmap’s smb-protocols and smb2-security-mode',
  labOnly(),
  async () => {
    const r = await probeSmb(HOSTS.smb, 445, ctx(5000));
    const out = await runTool(
      '/usr/bin/nmap',
      ['-Pn', '-n', '-p445', '--script', 'smb-protocols,smb2-security-mode', HOSTS.smb],
      120_000,
    );
    const names: Record<string, string> = {
      '202': '2.0.2',
      '210': '2.1',
      '300': '3.0',
      '302': '3.0.2',
      '311': '3.1.1',
    };
    // nmap lists one dialect per line ("|     202" … "|_    311") under "dialects:".
    const dialects = [...out.matchAll(/^\|_?\s+(202|210|300|302|311)\s*$/gm)].map(
      (m) => names[m[1]!]!,
    );
    assert.ok(dialects.length > 0, out);
    // The highest dialect nmap saw is what a NEGOTIATE offering all five must get.
    const highest = dialects.at(-1);
    assert.equal(r.facts.dialect, highest);
    assert.equal(/signing enabled and required/.test(out), r.facts.signingRequired, out);
  },
);

test(
  'port 139 with a NetBIOS session to *SMBSERVER gives the same facts as 445',
  labOnly(),
  async () => {
    const direct = await probeSmb(HOSTS.smb, 445, ctx(5000));
    const nbss = await probeSmb(HOSTS.smb, 139, ctx(5000));
    const { serverTime: _a, ...a } = direct.facts;
    const { serverTime: _b, ...b } = nbss.facts;
    assert.deepEqual(b, a);
    assert.equal(nbss.serverGuid, direct.serverGuid);
  },
);
