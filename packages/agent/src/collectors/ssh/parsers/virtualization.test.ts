// Table tests for the virtualization parser over captures in testdata/virtualization (see SOURCES.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseVirtualization, type VirtualizationInfo } from './virtualization.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/virtualization/${name}`, import.meta.url), 'utf8');

interface Case {
  file: string;
  state: 'complete' | 'partial' | 'unsupported';
  expect: Pick<VirtualizationInfo, 'role' | 'hypervisor' | 'container'> &
    Partial<VirtualizationInfo>;
}

const cases: Case[] = [
  {
    file: 'debian12-firecracker-kvm-docker.txt',
    state: 'complete',
    expect: {
      role: 'container',
      hypervisor: 'kvm',
      container: 'docker',
      productName: null,
      sysVendor: null,
      evidence: [
        'systemd-detect-virt --vm=kvm',
        'systemd-detect-virt --container=docker',
        '/.dockerenv',
      ],
    },
  },
  {
    // The same machine through BusyBox alone: no systemd-detect-virt, no DMI in a Firecracker VM.
    file: 'debian12-busybox135-no-systemd-detect-virt.txt',
    state: 'complete',
    expect: {
      role: 'container',
      hypervisor: 'unknown',
      container: 'docker',
      evidence: ['cpuinfo hypervisor flag', '/.dockerenv'],
    },
  },
  {
    file: 'rocky9-vmware.txt',
    state: 'complete',
    expect: {
      role: 'virtual_machine',
      hypervisor: 'vmware',
      container: null,
      sysVendor: 'VMware, Inc.',
    },
  },
  {
    file: 'alpine318-kvm-qemu-dmi-only.txt',
    state: 'complete',
    expect: { role: 'virtual_machine', hypervisor: 'qemu', container: null },
  },
  {
    file: 'ubuntu2204-hyperv.txt',
    state: 'complete',
    expect: { role: 'virtual_machine', hypervisor: 'microsoft', container: null },
  },
  {
    file: 'centos6-xen-dmi-only.txt',
    state: 'complete',
    expect: { role: 'virtual_machine', hypervisor: 'xen', container: null },
  },
  {
    file: 'debian12-virtualbox.txt',
    state: 'complete',
    expect: { role: 'virtual_machine', hypervisor: 'oracle', container: null },
  },
  {
    file: 'rocky9-physical-dell.txt',
    state: 'complete',
    expect: { role: 'physical', hypervisor: null, container: null, productName: 'PowerEdge R650' },
  },
  {
    file: 'alpine318-docker-no-systemd.txt',
    state: 'complete',
    expect: { role: 'container', hypervisor: 'unknown', container: 'docker' },
  },
  {
    file: 'ubuntu2204-kubernetes-pod-gke.txt',
    state: 'complete',
    expect: { role: 'container', hypervisor: 'kvm', container: 'kubernetes' },
  },
  {
    file: 'debian12-lxc.txt',
    state: 'complete',
    expect: { role: 'container', hypervisor: null, container: 'lxc' },
  },
  {
    file: 'aix72-snippet-empty.txt',
    state: 'unsupported',
    expect: { role: 'unknown', hypervisor: null, container: null },
  },
  {
    file: 'solaris11-snippet-empty.txt',
    state: 'unsupported',
    expect: { role: 'unknown', hypervisor: null, container: null },
  },
];

for (const c of cases) {
  test(`parseVirtualization reads ${c.file} as ${c.expect.role}`, () => {
    const result = parseVirtualization(read(c.file));
    assert.equal(result.state, c.state, result.warnings.join('; '));
    for (const [k, v] of Object.entries(c.expect))
      assert.deepEqual(result.data[k as keyof VirtualizationInfo], v, k);
  });
}

test('parseVirtualization says unknown, not physical, when nothing could be probed but cgroups', () => {
  const result = parseVirtualization(
    'detect_vm=\ndetect_container=\nproduct_name=\nsys_vendor=\n--- /proc/1/cgroup\n0::/\n',
  );
  assert.equal(result.state, 'partial');
  assert.equal(result.data.role, 'unknown');
});

test('parseVirtualization tolerates CRLF, garbage and a cut-off cgroup', () => {
  const result = parseVirtualization(
    '\uFFFD\uFFFD\r\ndetect_vm=vmware\r\ndetect_container=none\r\n--- /proc/1/cgroup\r\n12:memory:/dock',
  );
  assert.equal(result.state, 'complete');
  assert.equal(result.data.hypervisor, 'vmware');
  assert.equal(result.data.container, null);
});

test('parseVirtualization calls empty and garbage output unsupported', () => {
  for (const text of ['', 'ksh: systemd-detect-virt: not found', '\u0000'.repeat(10000)]) {
    assert.equal(parseVirtualization(text).state, 'unsupported');
  }
});
