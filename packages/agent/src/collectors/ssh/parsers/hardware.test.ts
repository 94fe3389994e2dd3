// Table tests of the hardware parsers (CPU, memory, DMI, disks, filesystems) over testdata/hardware.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  parseDfPosix,
  parseDmidecode,
  parseDmiIdFiles,
  parseLsblkJson,
  parseLscpu,
  parseMeminfo,
  parseProcCpuinfo,
  parseProcPartitions,
  parseSysctlHardware,
  type CpuFacts,
} from './hardware.js';

const data = (name: string): string =>
  readFileSync(new URL(`./testdata/hardware/${name}`, import.meta.url), 'utf8');

function pick<T extends object>(obj: T, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (obj as Record<string, unknown>)[k]]));
}

describe('CPU', () => {
  const cases: [string, typeof parseLscpu, string, Partial<CpuFacts>][] = [
    [
      'lscpu-debian12.txt',
      parseLscpu,
      'complete',
      {
        model: 'AMD EPYC',
        vendor: 'AuthenticAMD',
        architecture: 'x86_64',
        sockets: 1,
        coresPerSocket: 2,
        threadsPerCore: 1,
        cores: 2,
        threads: 2,
      },
    ],
    [
      'lscpu-rocky93-xeon-2s.txt',
      parseLscpu,
      'complete',
      {
        model: 'Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz',
        sockets: 2,
        coresPerSocket: 12,
        threadsPerCore: 2,
        cores: 24,
        threads: 48,
        mhz: 3200,
      },
    ],
    [
      'lscpu-rpi4-debian12-aarch64.txt',
      parseLscpu,
      'complete',
      {
        model: 'Cortex-A72',
        vendor: 'ARM',
        architecture: 'aarch64',
        sockets: 1,
        coresPerSocket: 4,
        cores: 4,
        threads: 4,
      },
    ],
    [
      'lscpu-alpine319-busybox-missing.txt',
      parseLscpu,
      'unsupported',
      { model: null, threads: null },
    ],
    ['lscpu-aix72-missing.txt', parseLscpu, 'unsupported', { threads: null }],
    [
      'proc-cpuinfo-debian12.txt',
      parseProcCpuinfo,
      'complete',
      { model: 'AMD EPYC', sockets: 1, coresPerSocket: 2, threadsPerCore: 1, cores: 2, threads: 2 },
    ],
    [
      'proc-cpuinfo-alpine319-vmware.txt',
      parseProcCpuinfo,
      'complete',
      {
        model: 'Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz',
        sockets: 1,
        coresPerSocket: 2,
        threadsPerCore: 2,
        cores: 2,
        threads: 4,
        mhz: 3000,
      },
    ],
    [
      'proc-cpuinfo-rpi4-aarch64.txt',
      parseProcCpuinfo,
      'partial',
      { model: null, threads: 4, sockets: null },
    ],
  ];
  for (const [file, parse, state, expected] of cases) {
    test(`${parse.name} reads ${file}`, () => {
      const r = parse(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      assert.deepEqual(pick(r.data, Object.keys(expected)), expected);
    });
  }

  test('parseLscpu treats "-" as unknown (Apple virtualised lscpu)', () => {
    const r = parseLscpu(
      'CPU(s): 14\nModel name: -\nSocket(s): -\nCore(s) per cluster: 14\nCluster(s): 1\n',
    );
    assert.equal(r.data.model, null);
    assert.equal(r.data.cores, 14);
    assert.equal(r.state, 'partial');
  });

  test('parseProcCpuinfo stays bounded on a flood of processors', () => {
    const flood = 'processor\t: 1\nphysical id\t: 0\ncore id\t: 1\n'.repeat(200_000);
    const r = parseProcCpuinfo(flood);
    assert.equal(r.state, 'partial');
    assert.ok((r.data.threads ?? 0) <= 100_000);
  });

  const sysctlCases: [string, Record<string, unknown>, number, string | null][] = [
    [
      'sysctl-hw-freebsd14.txt',
      {
        model: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
        architecture: 'amd64',
        cores: 4,
        threads: 8,
        threadsPerCore: 2,
      },
      17118699520,
      null,
    ],
    [
      'sysctl-hw-macos14.txt',
      {
        model: 'Apple M1 Pro',
        architecture: 'arm64',
        sockets: 1,
        cores: 10,
        threads: 10,
        coresPerSocket: 10,
      },
      17179869184,
      'MacBookPro18,3',
    ],
  ];
  for (const [file, cpu, mem, systemModel] of sysctlCases) {
    test(`parseSysctlHardware reads ${file}`, () => {
      const r = parseSysctlHardware(data(file));
      assert.equal(r.state, 'complete', r.warnings.join('; '));
      assert.deepEqual(pick(r.data.cpu, Object.keys(cpu)), cpu);
      assert.equal(r.data.memory.totalBytes, mem);
      assert.equal(r.data.systemModel, systemModel);
    });
  }
  test('parseSysctlHardware says unsupported for errors', () => {
    assert.equal(parseSysctlHardware("sysctl: unknown oid 'hw.memsize'\n").state, 'unsupported');
  });
});

describe('parseMeminfo', () => {
  test('parseMeminfo reads the Debian capture in bytes', () => {
    const r = parseMeminfo(data('proc-meminfo-debian12.txt'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data, {
      totalBytes: 24684096 * 1024,
      availableBytes: 24066896 * 1024,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    });
  });
  test('parseMeminfo is partial without MemAvailable (Linux < 3.14)', () => {
    const r = parseMeminfo(data('proc-meminfo-centos6-no-memavailable.txt'));
    assert.equal(r.state, 'partial');
    assert.equal(r.data.availableBytes, null);
    assert.equal(r.data.totalBytes, 1922032 * 1024);
  });
  test('parseMeminfo says unsupported for garbage and tolerates CRLF', () => {
    assert.equal(parseMeminfo('\ufffd\ufffd\n').state, 'unsupported');
    assert.equal(parseMeminfo('MemTotal: 10 kB\r\n').data.totalBytes, 10240);
  });
});

describe('DMI', () => {
  test('parseDmidecode reads a Dell server', () => {
    const r = parseDmidecode(data('dmidecode-dell-r640.txt'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data, {
      manufacturer: 'Dell Inc.',
      model: 'PowerEdge R640',
      serial: '8HX2QY2',
      systemUuid: '4c4c4544-0048-5810-8032-b8c04f515932',
      biosVendor: 'Dell Inc.',
      biosVersion: '2.17.1',
      biosDate: '2022-11-15',
      permissionDenied: [],
    });
  });
  test('parseDmidecode drops placeholder serials and lower-cases the UUID', () => {
    const r = parseDmidecode(data('dmidecode-kvm-placeholders.txt'));
    assert.equal(r.data.serial, null);
    assert.equal(r.data.manufacturer, 'QEMU');
    assert.equal(r.data.systemUuid, '8e7a5b3c-1d2f-4a6b-9c8d-0e1f2a3b4c5d');
    assert.equal(r.data.biosDate, '2014-04-01');
  });
  test('parseDmidecode without root is unsupported with permissionDenied', () => {
    const r = parseDmidecode(data('dmidecode-nonroot.txt'));
    assert.equal(r.state, 'unsupported');
    assert.deepEqual(r.data.permissionDenied, ['dmidecode']);
  });
  test('parseDmiIdFiles reads root-readable files and names the denied ones', () => {
    const user = parseDmiIdFiles(data('dmi-id-vmware-user.txt'));
    assert.equal(user.state, 'partial');
    assert.deepEqual(user.data.permissionDenied, ['product_serial', 'product_uuid']);
    assert.equal(user.data.manufacturer, 'VMware, Inc.');
    assert.equal(user.data.biosDate, '2020-11-12');
    const root = parseDmiIdFiles(data('dmi-id-vmware-root.txt'));
    assert.equal(root.state, 'complete');
    assert.equal(root.data.serial, 'VMware-42 1e 7a 5c 9b 3d 4f 21-8a 6e 0c 13 57 9d 2b 4f');
    assert.equal(root.data.systemUuid, '5c7a1e42-3d9b-214f-8a6e-0c13579d2b4f');
  });
  test('parseDmiIdFiles is unsupported where /sys/class/dmi is missing (Firecracker capture)', () => {
    const r = parseDmiIdFiles(data('dmi-id-debian12-firecracker.txt'));
    assert.equal(r.state, 'unsupported');
    assert.equal(r.data.manufacturer, null);
  });
});

describe('disks', () => {
  test('parseLsblkJson ignores zram devices (Debian capture)', () => {
    const r = parseLsblkJson(data('lsblk-debian12.json'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data.disks, [
      {
        name: 'vda',
        kname: 'vda',
        type: 'disk',
        sizeBytes: 274877906944,
        fsType: null,
        mountPoint: '/',
        model: null,
        serial: null,
      },
    ]);
    assert.deepEqual(r.data.partitions, []);
  });
  test('parseLsblkJson flattens partitions and LVM, ignores loop devices, reads string sizes', () => {
    const r = parseLsblkJson(data('lsblk-rocky8-lvm-string-sizes.json'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(
      r.data.disks.map((d) => [d.name, d.type, d.sizeBytes, d.model]),
      [
        ['sda', 'disk', 107374182400, 'PERC H730P Mini'],
        ['nvme0n1', 'disk', 960197124096, 'SAMSUNG MZQL2960HCJR-00A07'],
        ['sr0', 'rom', 1073741312, 'Virtual CDROM'],
      ],
    );
    assert.deepEqual(
      r.data.partitions.map((p) => [p.name, p.kname, p.type, p.parent, p.mountPoint]),
      [
        ['sda1', 'sda1', 'part', 'sda', '/boot'],
        ['sda2', 'sda2', 'part', 'sda', null],
        ['rl-root', 'dm-0', 'lvm', 'sda2', '/'],
        ['rl-swap', 'dm-1', 'lvm', 'sda2', '[SWAP]'],
        ['rl-home', 'dm-2', 'lvm', 'sda2', '/home'],
        ['nvme0n1p1', 'nvme0n1p1', 'part', 'nvme0n1', '/data'],
      ],
    );
  });
  test('parseLsblkJson says unsupported for truncated or foreign output', () => {
    assert.equal(parseLsblkJson(data('lsblk-truncated.json')).state, 'unsupported');
    assert.equal(parseLsblkJson('sh: lsblk: not found').state, 'unsupported');
    assert.equal(parseLsblkJson('{"x":1}').state, 'unsupported');
    assert.equal(parseLsblkJson('null').state, 'unsupported');
  });
  test('parseLsblkJson keeps the devices completed before a cut', () => {
    const full = data('lsblk-rocky8-lvm-string-sizes.json');
    const r = parseLsblkJson(full.slice(0, full.indexOf('"rl-home"')));
    assert.equal(r.state, 'partial');
    assert.deepEqual(
      r.data.disks.map((d) => d.name),
      ['sda'],
    );
    assert.deepEqual(
      r.data.partitions.map((p) => p.name),
      ['sda1', 'sda2', 'rl-root', 'rl-swap'],
    );
  });
  test('parseLscpu and parseDfPosix tolerate CRLF line ends', () => {
    const crlf = (t: string): string => t.replace(/\n/g, '\r\n');
    assert.deepEqual(
      parseLscpu(crlf(data('lscpu-debian12.txt'))),
      parseLscpu(data('lscpu-debian12.txt')),
    );
    assert.deepEqual(
      parseDfPosix(crlf(data('df-pk-macos14.txt'))),
      parseDfPosix(data('df-pk-macos14.txt')),
    );
  });
  test('parseLsblkJson prefers lsblk 2.37 mountpoints arrays', () => {
    const r = parseLsblkJson(
      '{"blockdevices":[{"name":"sdb","type":"disk","size":1,"mountpoints":[null]},{"name":"sdc","type":"disk","size":1,"mountpoints":["/a","/b"]}]}',
    );
    assert.deepEqual(
      r.data.disks.map((d) => d.mountPoint),
      [null, '/a'],
    );
  });
  test('parseProcPartitions reads the Debian capture', () => {
    const r = parseProcPartitions(data('proc-partitions-debian12.txt'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(
      r.data.disks.map((d) => [d.name, d.sizeBytes]),
      [['vda', 268435456 * 1024]],
    );
  });
  test('parseProcPartitions assigns sdX1, nvme and mmcblk partitions, ignores loop and zram', () => {
    const r = parseProcPartitions(data('proc-partitions-alpine319.txt'));
    assert.deepEqual(
      r.data.disks.map((d) => d.name),
      ['sda', 'nvme0n1', 'mmcblk0'],
    );
    assert.deepEqual(
      r.data.partitions.map((p) => [p.name, p.parent]),
      [
        ['sda1', 'sda'],
        ['sda2', 'sda'],
        ['sda3', 'sda'],
        ['nvme0n1p1', 'nvme0n1'],
        ['mmcblk0p1', 'mmcblk0'],
      ],
    );
    assert.equal(parseProcPartitions('garbage').state, 'unsupported');
  });
});

describe('parseDfPosix', () => {
  const cases: [string, string, number, [string, string, number, number, number | null][]][] = [
    [
      'df-pk-debian12.txt',
      'complete',
      5,
      [['/dev/vda', '/', 264212084 * 1024, 82340260 * 1024, 23]],
    ],
    [
      'df-pk-rocky93.txt',
      'complete',
      8,
      [
        [
          'nfs01.corp.example:/export/home',
          '/mnt/nfs home',
          524288000 * 1024,
          419430400 * 1024,
          20,
        ],
      ],
    ],
    [
      'df-pk-debian12-busybox135.txt',
      'complete',
      10,
      [
        ['/dev/vda', '/', 264212084 * 1024, 81675076 * 1024, 23],
        [
          '/dev/mapper/very-long-volume-group-name-that-wraps',
          '/tmp/bbx/mnt',
          2048 * 1024,
          2048 * 1024,
          0,
        ],
      ],
    ],
    [
      'df-pk-alpine319-busybox.txt',
      'complete',
      6,
      [
        [
          '/dev/mapper/very-long-volume-group-name-that-wraps',
          '/srv',
          2086912 * 1024,
          1984512 * 1024,
          5,
        ],
      ],
    ],
    [
      'df-pk-macos14.txt',
      'complete',
      7,
      [['/dev/disk5s1', '/Volumes/My Backup', 102400 * 1024, 51200 * 1024, 50]],
    ],
    [
      'df-pk-freebsd14-zfs.txt',
      'complete',
      6,
      [['/dev/ada1p1', '/ufs', 10154158 * 1024, -100513 * 1024, 101]],
    ],
    ['df-k-aix72.txt', 'unsupported', 0, []],
    ['df-pk-solaris114-error.txt', 'unsupported', 0, []],
  ];
  for (const [file, state, count, samples] of cases) {
    test(`parseDfPosix reads ${file}`, () => {
      const r = parseDfPosix(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      assert.equal(r.data.length, count);
      for (const [source, mountPoint, size, avail, pct] of samples) {
        const fs = r.data.find((f) => f.mountPoint === mountPoint);
        assert.ok(fs, mountPoint);
        assert.deepEqual(
          [fs.source, fs.sizeBytes, fs.availableBytes, fs.usedPercent],
          [source, size, avail, pct],
        );
      }
    });
  }
  test('parseDfPosix skips zero-size pseudo filesystems (macOS map auto_home)', () => {
    const r = parseDfPosix(data('df-pk-macos14.txt'));
    assert.equal(
      r.data.some((f) => f.source === 'map auto_home'),
      false,
    );
  });
  test('parseDfPosix marks a line cut mid-way as partial', () => {
    const r = parseDfPosix(
      'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 40 60 40% /\n/dev/sdb1 100 4',
    );
    assert.equal(r.state, 'partial');
    assert.equal(r.data.length, 1);
  });
});
