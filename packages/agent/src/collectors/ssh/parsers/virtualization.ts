// Virtualization parser: is the host a VM, a container (or both), and on which hypervisor/runtime.
import { clip, splitLines, warningList, type SectionResult } from './section-types.js';

/** What the host runs on. A container inside a VM has both `hypervisor` and `container`. */
export interface VirtualizationInfo {
  /** `container` wins over `virtual_machine` because it is the nearer boundary. */
  role: 'physical' | 'virtual_machine' | 'container' | 'unknown';
  /** systemd-detect-virt VM id: `vmware`, `kvm`, `qemu`, `microsoft`, `xen`, `oracle`, `amazon`…; null if none. */
  hypervisor: string | null;
  /** systemd-detect-virt container id: `docker`, `podman`, `lxc`, `systemd-nspawn`, `wsl`…; plus `kubernetes`. */
  container: string | null;
  /** DMI product name and vendor as read, for the platform to show. */
  productName: string | null;
  sysVendor: string | null;
  /** Which facts led to the answer (`systemd-detect-virt --vm=kvm`, `dmi sys_vendor=VMware, Inc.`…). */
  evidence: string[];
}

/** Nothing known: what a host without any virtualization facts gets. */
export function unknownVirtualization(): VirtualizationInfo {
  return {
    role: 'unknown',
    hypervisor: null,
    container: null,
    productName: null,
    sysVendor: null,
    evidence: [],
  };
}

/**
 * One POSIX sh snippet printing `key=value` lines, then `/proc/1/cgroup` after a marker line.
 * Every probe tolerates absence (no systemd, no DMI on ARM/containers, no /proc on BSD).
 */
export const VIRTUALIZATION_COMMAND = [
  'echo "detect_vm=$(systemd-detect-virt --vm 2>/dev/null)"',
  'echo "detect_container=$(systemd-detect-virt --container 2>/dev/null)"',
  '[ -e /.dockerenv ] && echo dockerenv=1',
  '[ -e /run/.containerenv ] && echo containerenv=1',
  'echo "product_name=$(cat /sys/class/dmi/id/product_name 2>/dev/null)"',
  'echo "sys_vendor=$(cat /sys/class/dmi/id/sys_vendor 2>/dev/null)"',
  "grep -qs '^flags.* hypervisor' /proc/cpuinfo && echo cpu_hypervisor=1",
  "echo '--- /proc/1/cgroup'",
  'cat /proc/1/cgroup 2>/dev/null',
].join('; ');

/** DMI vendor/product patterns → systemd-detect-virt's VM ids, checked in order. */
const DMI_HYPERVISORS: readonly [RegExp, string][] = [
  [/vmware/i, 'vmware'],
  [/virtualbox|innotek/i, 'oracle'],
  [/microsoft corporation.*virtual machine|^virtual machine$/i, 'microsoft'],
  [/\bxen\b|hvm domu/i, 'xen'],
  [/amazon ec2/i, 'amazon'],
  [/google compute engine|^google$/i, 'google'],
  [/parallels/i, 'parallels'],
  [/bhyve/i, 'bhyve'],
  [/\bkvm\b|openstack|nutanix|\bahv\b/i, 'kvm'],
  [/qemu|bochs/i, 'qemu'],
];

/** cgroup path fragments that name a container runtime. */
const CGROUP_CONTAINERS: readonly [RegExp, string][] = [
  [/kubepods/, 'kubernetes'],
  [/libpod/, 'podman'],
  [/\/docker[/-]|docker-[0-9a-f]{12,}\.scope/, 'docker'],
  [/containerd/, 'containerd'],
  [/\/lxc(\.payload)?[/.]/, 'lxc'],
  [/machine\.slice\/machine-/, 'systemd-nspawn'],
];

/**
 * Parses the output of {@link VIRTUALIZATION_COMMAND}. systemd-detect-virt is trusted first,
 * then DMI strings, then container markers (`/.dockerenv`, `/run/.containerenv`, cgroup paths).
 * Output with none of the keys (AIX, Solaris, a shell that printed garbage) is `unsupported`.
 * @example parseVirtualization('detect_vm=vmware\ndetect_container=none\n').data.role // → 'virtual_machine'
 */
export function parseVirtualization(text: string): SectionResult<VirtualizationInfo> {
  const { lines, truncated } = splitLines(text, 2000);
  const warnings = warningList();
  if (truncated) warnings.add('output truncated at the line cap');
  const facts = new Map<string, string>();
  const cgroup: string[] = [];
  let inCgroup = false;
  for (const line of lines) {
    if (line.startsWith('--- /proc/1/cgroup')) {
      inCgroup = true;
      continue;
    }
    if (inCgroup) {
      if (cgroup.length < 200) cgroup.push(line);
      continue;
    }
    const m = /^([a-z_]+)=(.*)$/.exec(line);
    if (m !== null && !facts.has(m[1] as string))
      facts.set(m[1] as string, clip((m[2] as string).trim(), 256));
  }
  const evidence: string[] = [];
  const value = (key: string): string | null => {
    const v = facts.get(key);
    return v === undefined || v === '' || v === 'none' ? null : v;
  };
  const productName = value('product_name');
  const sysVendor = value('sys_vendor');

  let hypervisor = value('detect_vm');
  if (hypervisor !== null) evidence.push(`systemd-detect-virt --vm=${hypervisor}`);
  if (hypervisor === null) {
    const dmi = `${sysVendor ?? ''} ${productName ?? ''}`.trim();
    const hit = DMI_HYPERVISORS.find(
      ([re]) => re.test(dmi) || re.test(productName ?? '') || re.test(sysVendor ?? ''),
    );
    if (hit !== undefined) {
      hypervisor = hit[1];
      evidence.push(`dmi ${sysVendor ?? ''} / ${productName ?? ''}`.trim());
    }
  }
  if (hypervisor === null && facts.get('cpu_hypervisor') === '1') {
    // The CPU flag proves a hypervisor without naming it.
    hypervisor = 'unknown';
    evidence.push('cpuinfo hypervisor flag');
  }

  let container = value('detect_container');
  if (container !== null) evidence.push(`systemd-detect-virt --container=${container}`);
  const cgroupText = cgroup.join('\n');
  const fromCgroup = CGROUP_CONTAINERS.find(([re]) => re.test(cgroupText));
  if (fromCgroup !== undefined) {
    evidence.push(`/proc/1/cgroup ${fromCgroup[1]}`);
    // Kubernetes is more specific than the runtime systemd-detect-virt names.
    if (container === null || fromCgroup[1] === 'kubernetes') container = fromCgroup[1];
  }
  if (facts.get('dockerenv') === '1') {
    evidence.push('/.dockerenv');
    container ??= 'docker';
  }
  if (facts.get('containerenv') === '1') {
    evidence.push('/run/.containerenv');
    container ??= 'podman';
  }

  // AIX/Solaris run the snippet too, but every probe comes back empty: nothing to say.
  const known = [...facts.values()].some((v) => v !== '') || cgroup.some((l) => l.trim() !== '');
  if (!known) {
    warnings.add('no virtualization facts in output');
    return { state: 'unsupported', data: unknownVirtualization(), warnings: warnings.list() };
  }
  // Without systemd-detect-virt and DMI, "nothing found" is not proof of bare metal.
  const conclusive =
    (facts.get('detect_vm') ?? '') !== '' || productName !== null || sysVendor !== null;
  const role: VirtualizationInfo['role'] =
    container !== null
      ? 'container'
      : hypervisor !== null
        ? 'virtual_machine'
        : conclusive
          ? 'physical'
          : 'unknown';
  if (role === 'unknown') warnings.add('neither systemd-detect-virt nor DMI answered');
  return {
    state: truncated || role === 'unknown' ? 'partial' : 'complete',
    data: { role, hypervisor, container, productName, sysVendor, evidence },
    warnings: warnings.list(),
  };
}
