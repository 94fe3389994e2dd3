// `scan SAMBA --protocols windows` end to end in the lab: the real CLI with a stored Windows
// credential, against Samba holding the fake Windows of test/lab/services/smb-registry.sh. What
// the scanner reports is compared with what Samba says about itself inside its own namespace
// (net registry, pdbedit, net sam, smb.conf).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HostRecord } from '@nopesight/model';
import type { WindowsCi } from '../../collectors/windows/index.js';
import {
  sambaWindowsCli,
  type SambaWindowsCli,
} from '../../../../../test/support/samba-windows-cli.js';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath, runOnLabHost } from '../../../../../test/lab/lab.js';

const CONF = () => labStatePath('smb', 'smb.conf');
const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const UNINSTALL32 = 'HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const CV32 = 'HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion';

/** Samba's own answer, from inside its namespace (its private /etc). */
const onSamba = (cmd: string) => runOnLabHost('smbd', cmd);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `net registry enumerate KEY`: subkey names and values (name → text). */
async function enumerate(key: string): Promise<{ keys: string[]; values: Map<string, string> }> {
  const text = await onSamba(`net -s ${q(CONF())} registry enumerate ${q(key)}`);
  const keys = [...text.matchAll(/^Keyname\s+= (.*)$/gm)].map((m) => m[1]!);
  const values = new Map<string, string>();
  for (const m of text.matchAll(/^Valuename\s+= (.*)\n(?:.*\n)*?Value\s+= (.*)$/gm)) {
    values.set(m[1]!.toLowerCase(), m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return { keys, values };
}

describe('scan --protocols windows against the lab Samba', labOnly(), () => {
  let lab: SambaWindowsCli | undefined;
  const cli = (args: string[], stdin?: object) => lab!.cli(args, stdin);
  let host: HostRecord;
  let ci: WindowsCi;

  before(async () => {
    lab = await sambaWindowsCli('scan-windows');
    host = await lab.scan();
    ci = host.ci as unknown as WindowsCi;
  });
  after(() => lab?.remove());

  test('the login succeeds and the host is a server, as ProductOptions says', () => {
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['windows', 'success']],
      JSON.stringify(host.protocols),
    );
    assert.equal(host.ci.type, 'server');
    assert.equal(ci.os!.role, 'server');
    assert.equal(ci.os!.productType, 'ServerNT');
  });

  test('the OS facts are the planted ones', async () => {
    const { values } = await enumerate(CV32);
    assert.equal(ci.os!.name, values.get('productname'));
    assert.equal(ci.os!.version, values.get('displayversion'));
    assert.equal(ci.os!.edition, values.get('editionid'));
    assert.equal(ci.os!.registeredOwner, values.get('registeredowner'));
    assert.equal(ci.os!.registeredOrganization, values.get('registeredorganization'));
    assert.equal(ci.os!.build, `${values.get('currentbuild')}.${Number(values.get('ubr'))}`);
    assert.equal(
      ci.os!.installedAt,
      new Date(Number(values.get('installdate')) * 1000).toISOString(),
    );
    assert.equal(host.sections['os'], 'complete');
  });

  test('the software is exactly what both Uninstall hives list, filtered as Windows does', async () => {
    const expected: string[] = [];
    for (const hive of [UNINSTALL, UNINSTALL32]) {
      for (const key of (await enumerate(hive)).keys) {
        const { values } = await enumerate(`${hive}\\${key}`);
        const name = values.get('displayname');
        const system = Number(values.get('systemcomponent') ?? '0') === 1;
        const update = values.has('parentkeyname') || values.has('releasetype');
        if (name && !system && !update)
          expected.push(
            `${name}|${values.get('displayversion') ?? ''}|${values.get('publisher') ?? ''}`,
          );
      }
    }
    assert.ok(expected.length >= 5, `planted programs found: ${expected.join(', ')}`);
    assert.deepEqual(
      ci.software.map((s) => `${s.name}|${s.version ?? ''}|${s.vendor ?? ''}`).sort(),
      expected.sort(),
    );
    assert.ok(ci.os!.patches.some((p) => p.id === 'KB5002100' && p.source === 'uninstall'));
    assert.ok(ci.os!.patches.some((p) => p.id === 'KB5034439' && p.source === 'cbs'));
    assert.ok(ci.os!.patches.some((p) => p.id === 'KB5031364' && p.source === 'cbs'));
    // Planted with CurrentState 0x50 (staged, not installed): read over winreg, left out.
    assert.ok(
      !ci.os!.patches.some((p) => p.id === 'KB5012170'),
      `staged package reported: ${JSON.stringify(ci.os!.patches)}`,
    );
  });

  test('the users and local groups are those pdbedit and net sam list', async () => {
    const users = (await onSamba(`pdbedit -s ${q(CONF())} -L`))
      .trim()
      .split('\n')
      .map((l) => l.split(':')[0]!);
    assert.deepEqual(ci.users.map((u) => u.name).sort(), users.sort());
    const groups = (await onSamba(`net -s ${q(CONF())} sam list localgroups`)).trim().split('\n');
    assert.deepEqual(ci.groups.map((g) => g.name).sort(), groups.sort());
    for (const g of ci.groups) {
      const members = (await onSamba(`net -s ${q(CONF())} sam listmem ${q(g.name)}`))
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      assert.deepEqual(
        g.members.map((m) => `${m.domain}\\${m.name}`).sort(),
        members.sort(),
        `members of ${g.name}`,
      );
      assert.ok(g.members.every((m) => m.origin === 'local'));
      // The description (samr QueryInformationAlias) is the group mapping's comment.
      const map = await onSamba(`net -s ${q(CONF())} groupmap list verbose ntgroup=${q(g.name)}`);
      const comment = /^\s*Comment\s*: (.*)$/m.exec(map)?.[1] ?? '';
      assert.notEqual(comment, '', `a description planted for ${g.name}`);
      assert.equal(g.description, comment, `description of ${g.name}`);
    }
    // One planted outside ASCII, to prove the UTF-16 path.
    assert.equal(
      ci.groups.find((g) => g.name === 'labaudit')?.description,
      'Lab auditors: Prüfung & Revision',
    );
    assert.equal(ci.membership!.type, 'workgroup');
    assert.equal(ci.membership!.name, SMB.workgroup);
  });

  test('the shares are the smb.conf shares plus IPC$, and services come from svcctl', async () => {
    const sections = [...readFileSync(CONF(), 'utf8').matchAll(/^\[([^\]]+)\]$/gm)]
      .map((m) => m[1]!)
      .filter((s) => s !== 'global');
    assert.deepEqual(ci.shares.map((s) => s.name).sort(), [...sections, 'IPC$'].sort());
    assert.ok(ci.shares.find((s) => s.name === 'IPC$')!.special);
    assert.ok(ci.services.length > 0);
    assert.ok(ci.services.every((s) => s.startMode !== null && s.rawState !== ''));
    assert.equal(host.sections['processes'], 'unsupported');
  });

  test('the hardware keys are read: CPU count and name, BIOS and system strings', async () => {
    const cpus = await enumerate('HKLM\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor');
    const bios = (await enumerate('HKLM\\HARDWARE\\DESCRIPTION\\System\\BIOS')).values;
    assert.equal(ci.hardware!.cpu.logicalCount, cpus.keys.length);
    assert.equal(ci.hardware!.system.manufacturer, bios.get('systemmanufacturer'));
    assert.equal(ci.hardware!.system.model, bios.get('systemproductname'));
    assert.equal(ci.hardware!.bios.version, bios.get('biosversion'));
  });

  test('a wrong password is unauthorized and a closed 445 is no_access', async () => {
    const add = await cli(
      ['credentials', 'add', 'windows', '--name', 'wrong', '--username', SMB.username, '--stdin'],
      { password: 'not-the-password' },
    );
    assert.equal(add.code, 0, add.err);
    const wrong = await cli(['credentials', 'test', 'wrong', HOSTS.smb]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.out + wrong.err, /unauthorized/);
    // The SSH host has no SMB: 445 refuses.
    const closed = await cli(['credentials', 'test', 'lab', HOSTS.ssh]);
    assert.equal(closed.code, 1);
    assert.match(closed.out + closed.err, /no_access/);
  });
});
