// Tests of the section → host record mapping over the parsers' captured Debian 12 testdata.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildInventory, SSH_SECTIONS } from './inventory.js';
import type { RawSection } from './sections.js';
import { parseDpkg, parseDpkgInstallTimes } from './parsers/packages.js';
import { parseUsers } from './parsers/users.js';
import { parseSs } from './parsers/connections.js';
import { parsePs } from './parsers/processes.js';

const td = (path: string): string =>
  readFileSync(new URL(`./parsers/testdata/${path}`, import.meta.url), 'utf8');

const ok = (text: string, exitCode = 0): RawSection => ({
  text,
  exitCode,
  status: 'complete',
  note: null,
});

/** The raw sections a Debian 12 host gives, assembled from the parsers' captures. */
function debianSections(): Map<string, RawSection> {
  return new Map<string, RawSection>([
    ['meta', ok('uid=1000\npriv=sudo-n\ntimeout=timeout 20\nhead=1\n')],
    ['uname', ok(td('system/uname-snrm-debian12.txt'))],
    ['hostname', ok(td('system/hostname-debian12.txt'))],
    ['date', ok(td('system/date-epoch-debian12.txt'))],
    ['os-release', ok(td('system/os-release-debian12.txt'))],
    ['uptime', ok(td('system/proc-uptime-debian12.txt'))],
    ['lscpu', ok(td('hardware/lscpu-debian12.txt'))],
    ['meminfo', ok(td('hardware/proc-meminfo-debian12.txt'))],
    ['dmi', ok(td('hardware/dmi-id-vmware-root.txt'))],
    ['lsblk', ok(td('hardware/lsblk-debian12.json'))],
    ['df', ok(td('hardware/df-pk-debian12.txt'))],
    ['ip-addr', ok(td('network/ip-j-addr-debian12.json'))],
    ['ip-route', ok(td('network/ip-j-route-debian12.json'))],
    ['ip-route6', ok(td('network/ip-j-6-route-debian12.json'))],
    ['resolv', ok(td('network/resolv-conf-debian12.txt'))],
    ['dpkg', ok(td('packages/debian12-dpkg-query.txt'))],
    ['dpkg-times', ok(td('packages/debian12-dpkg-list-mtimes.txt'))],
    ['ps', ok(td('processes/debian12-ps-procps.txt'))],
    ['sysv', ok(td('services/debian12-service-status-all.txt'))],
    ['ss', ok(td('connections/debian12-ss-tunapH.txt'))],
    ['passwd', ok(td('users/debian12-getent-passwd.txt'))],
    ['group', ok(td('users/debian12-getent-group.txt'))],
    ['login-defs', ok(td('users/debian12-login-defs.txt'))],
    ['lastlog', ok(td('users/debian12-lastlog.txt'))],
    ['virt', ok(td('virtualization/debian12-firecracker-kvm-docker.txt'))],
  ]);
}

describe('buildInventory', () => {
  test('buildInventory maps Debian 12 captures into every section', () => {
    const inv = buildInventory({ sections: debianSections(), done: true });
    for (const s of SSH_SECTIONS) {
      assert.ok(
        inv.sections[s] === 'complete' || inv.sections[s] === 'partial',
        `${s}: ${inv.sections[s]} ${JSON.stringify(inv.notes[s])}`,
      );
    }
    assert.equal(inv.ci.os.id, 'debian');
    assert.equal(inv.ci.os.version, '12');
    assert.equal(inv.ci.os.family, 'debian');
    assert.equal(inv.ci.os.kernelName, 'Linux');
    assert.ok(inv.ci.os.bootTime !== null);
    assert.equal(inv.ci.identity.hostname, 'vm');
    assert.ok(inv.ci.hardware.cpu?.threads);
    assert.ok(inv.ci.hardware.memory?.totalBytes);
    assert.ok(inv.ci.hardware.filesystems.length > 0);
    assert.ok(inv.ci.interfaces.length > 0);
    assert.deepEqual(inv.ci.identity.macs, [
      ...new Set(inv.ci.interfaces.map((i) => i.mac).filter(Boolean)),
    ]);
    assert.ok(inv.ci.network.dnsServers.length > 0);
    assert.equal(inv.ci.virtualization?.container, 'docker');
    assert.equal(inv.run.privilege, 'sudo-n');
    assert.equal(inv.run.uid, 1000);

    // Counts equal what each parser alone returns for the same capture.
    const times = parseDpkgInstallTimes(td('packages/debian12-dpkg-list-mtimes.txt'));
    assert.equal(
      inv.ci.software.length,
      parseDpkg(td('packages/debian12-dpkg-query.txt'), times).data.length,
    );
    assert.ok(inv.ci.software.some((p) => p.installedAt !== null));
    assert.equal(
      inv.ci.processes.length,
      parsePs(td('processes/debian12-ps-procps.txt')).data.length,
    );
    const users = parseUsers({
      passwd: td('users/debian12-getent-passwd.txt'),
      loginDefs: td('users/debian12-login-defs.txt'),
      group: td('users/debian12-getent-group.txt'),
    }).data;
    assert.deepEqual(
      inv.ci.users.map((u) => u.name),
      users.map((u) => u.name),
    );
    const sockets = parseSs(td('connections/debian12-ss-tunapH.txt')).data;
    assert.equal(inv.ci.connections.length, sockets.length);
    assert.ok(inv.ci.services.length > 0);
    assert.ok(inv.hostnames.some((h) => h.name === 'vm' && h.source === 'ssh'));
    for (const r of inv.relationships) assert.equal(r.evidence['source'], 'ssh');
  });

  test('buildInventory takes serial and UUID from DMI into identity', () => {
    const inv = buildInventory({ sections: debianSections(), done: true });
    assert.equal(inv.sections.dmi, 'complete');
    assert.ok(inv.ci.identity.serial);
    assert.match(inv.ci.identity.systemUuid ?? '', /^[0-9a-f-]{36}$/);
  });

  test('buildInventory marks DMI denied when serial and UUID need root', () => {
    const s = debianSections();
    s.set('meta', ok('uid=1000\npriv=denied\n'));
    s.set('dmi', ok(td('hardware/dmi-id-vmware-user.txt'), 2));
    const inv = buildInventory({ sections: s, done: true });
    assert.equal(inv.sections.dmi, 'denied');
    assert.match(
      inv.notes.dmi?.[0] ?? '',
      /product_serial, product_uuid needs root \(privilege: denied\)/,
    );
    assert.equal(inv.ci.identity.serial, null);
    assert.equal(inv.ci.hardware.dmi?.manufacturer, 'VMware, Inc.');
  });

  test('buildInventory marks AIX unsupported everywhere and keeps the kernel facts', () => {
    const inv = buildInventory({
      sections: new Map([['uname', ok(td('system/uname-snrm-aix72.txt'))]]),
      done: true,
    });
    for (const s of SSH_SECTIONS) assert.equal(inv.sections[s], 'unsupported');
    assert.equal(inv.ci.os.family, 'aix');
    assert.equal(inv.ci.os.kernelName, 'AIX');
    assert.deepEqual(inv.relationships, []);
  });

  test('buildInventory marks Solaris unsupported everywhere', () => {
    const inv = buildInventory({
      sections: new Map([['uname', ok(td('system/uname-snrm-solaris114.txt'))]]),
      done: true,
    });
    assert.ok(SSH_SECTIONS.every((s) => inv.sections[s] === 'unsupported'));
  });

  test('buildInventory marks sections after a cut as timeout and the cut one partial', () => {
    const s = debianSections();
    const order = [...s.keys()];
    const at = order.indexOf('ps');
    for (const name of order.slice(at + 1)) s.delete(name);
    const ps = td('processes/debian12-ps-procps.txt');
    s.set('ps', {
      text: ps.slice(0, ps.length / 2),
      exitCode: null,
      status: 'cut',
      note: 'no end marker',
    });
    const inv = buildInventory({ sections: s, done: false });
    assert.equal(inv.sections.processes, 'partial');
    assert.equal(inv.sections.users, 'timeout');
    assert.equal(inv.sections.connections, 'timeout');
    assert.equal(inv.sections.virtualization, 'timeout');
    assert.equal(inv.sections.software, 'complete');
    assert.ok(inv.ci.processes.length > 0);
  });

  test('buildInventory marks a command that hit its timeout', () => {
    const s = debianSections();
    s.set('hostname', { text: '', exitCode: 124, status: 'timeout', note: null });
    s.set('ps', { text: '', exitCode: null, status: 'timeout', note: 'deadline' });
    const inv = buildInventory({ sections: s, done: true });
    assert.equal(inv.sections.identity, 'timeout');
    assert.equal(inv.sections.processes, 'timeout');
    assert.match(inv.notes.processes?.[0] ?? '', /deadline/);
  });

  test('buildInventory says unsupported when the host has no package manager', () => {
    const s = debianSections();
    s.delete('dpkg');
    s.delete('dpkg-times');
    s.set('packages', { text: '', exitCode: null, status: 'skipped', note: 'absent' });
    const inv = buildInventory({ sections: s, done: true });
    assert.equal(inv.sections.software, 'unsupported');
    assert.deepEqual(inv.ci.software, []);
  });

  test('buildInventory does not take a failed command with no output for an empty list', () => {
    // Debian's busybox `rpm` applet refuses -qa: exit 1, nothing on stdout.
    const s = debianSections();
    s.delete('dpkg');
    s.delete('dpkg-times');
    s.set('rpm', ok('', 1));
    const inv = buildInventory({ sections: s, done: true });
    assert.equal(inv.sections.software, 'unsupported');
    assert.match(inv.notes.software?.join('; ') ?? '', /rpm: exit 1 and no output/);
  });

  test('buildInventory maps BusyBox 1.35 captures and notes what they lack', () => {
    const s = debianSections();
    for (const name of ['lscpu', 'lsblk', 'ip-addr', 'ip-route', 'ip-route6', 'ss', 'ps'])
      s.delete(name);
    s.set('cpuinfo', ok(td('hardware/proc-cpuinfo-debian12.txt')));
    s.set('partitions', ok(td('hardware/proc-partitions-debian12.txt')));
    s.set('df', ok(td('hardware/df-pk-debian12-busybox135.txt')));
    s.set('ifconfig', ok(td('network/ifconfig-a-debian12-busybox135.txt')));
    s.set('netstat-rn', ok(td('network/netstat-rn-debian12-busybox135.txt')));
    s.set('netstat-rn6', ok(td('network/route-n-A-inet6-debian12-busybox135.txt')));
    s.set('netstat', ok(td('connections/debian12-busybox135-netstat-an.txt')));
    s.set('ps', ok(td('processes/debian12-busybox135-ps-o.txt')));
    s.set('lastlog', ok('', 127));
    const inv = buildInventory({ sections: s, done: true });
    for (const name of [
      'hardware',
      'interfaces',
      'network',
      'processes',
      'connections',
      'users',
    ] as const)
      assert.equal(inv.sections[name], 'complete', `${name} ${JSON.stringify(inv.notes[name])}`);
    assert.deepEqual(inv.ci.network.defaultGateways, ['192.0.2.1', 'fd00::1']);
    assert.equal(inv.ci.processes.find((p) => p.pid === 18541)?.user, 'systemd-timesync');
    assert.match(inv.notes.processes?.join('; ') ?? '', /start times unknown/);
    assert.match(inv.notes.connections?.join('; ') ?? '', /no processes/);
    assert.match(inv.notes.users?.join('; ') ?? '', /last logins unknown/);
  });

  test('buildInventory reads partially when one of several sources is missing', () => {
    const s = debianSections();
    s.delete('df');
    const inv = buildInventory({ sections: s, done: true });
    assert.equal(inv.sections.hardware, 'partial');
    assert.ok(inv.ci.hardware.cpu);
  });

  test('buildInventory never throws on garbage in every section', () => {
    const s = new Map<string, RawSection>();
    const garbage = '\u0000\ufffd{[not json\n'.repeat(50);
    for (const name of debianSections().keys()) s.set(name, ok(garbage, 1));
    const inv = buildInventory({ sections: s, done: true });
    for (const name of SSH_SECTIONS) assert.ok(inv.sections[name]);
    assert.equal(inv.ci.software.length, 0);
  });

  test('buildInventory on nothing says unsupported, or timeout when output ended early', () => {
    const none = buildInventory({ sections: new Map(), done: true });
    assert.ok(SSH_SECTIONS.every((s) => none.sections[s] === 'unsupported'));
    const cut = buildInventory({ sections: new Map(), done: false });
    assert.equal(cut.sections.software, 'timeout');
    assert.equal(cut.sections.os, 'timeout');
  });
});
