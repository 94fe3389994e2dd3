// Bench: a full vCenter inventory of the govmomi simulator on loopback at two model sizes (100 and
// 1,000+ VMs): wall time and SOAP round trips of collectVcenterInventory, beside govmomi's own
// client reading the same objects and property paths (bench/lib/vcenter-reference.go). Shows that
// round trips grow with pages (objects / page size), not with objects. No lab needed.
//   node --import tsx bench/vcenter-inventory.ts [--runs N] [--vms 1000] [--page 250]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minMedMax, parseBenchArgs } from './lib/bench-lib.js';
import { VimClient } from '../packages/agent/src/transports/vsphere/vim-client.js';
import {
  collectVcenterInventory,
  VCENTER_RETRIEVES,
  VCENTER_SPECS,
  VIEW_TYPES,
} from '../packages/agent/src/collectors/vcenter/index.js';
import { startVcsim, vcsimBinary, type RunningVcsim } from '../test/support/vcsim.js';
import { stopChild } from '../test/support/child-process.js';

const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Vc-Pass-6';
const { runs } = parseBenchArgs(process.argv.slice(2), 5);
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const bigVms = arg('vms', 1000);
const page = arg('page', 250);

/** Two clusters of four hosts, VMs split between the clusters' root pools (vcsim: -vm is per pool). */
const sizes = [100, bigVms].map((vms) => ({
  vms,
  flags: [
    '-dc',
    '1',
    '-cluster',
    '2',
    '-host',
    '4',
    '-standalone-host',
    '0',
    '-vm',
    String(vms / 2),
    '-ds',
    '2',
    '-pg',
    '2',
  ],
}));

function referenceBinary(): string | null {
  const src = new URL('./lib/vcenter-reference.go', import.meta.url).pathname;
  if (!existsSync('/usr/share/gocode/src/github.com/vmware/govmomi')) return null;
  const out = join(tmpdir(), 'nopesight-bench-vcref');
  mkdirSync(out, { recursive: true });
  const bin = join(out, 'vcenter-reference');
  execFileSync('go', ['build', '-o', bin, src], {
    env: {
      ...process.env,
      GOPATH: '/usr/share/gocode',
      GO111MODULE: 'off',
      GOCACHE: join(out, 'go-build'),
      GOFLAGS: '',
    },
    stdio: 'inherit',
    timeout: 300_000,
  });
  return bin;
}

async function ours(sim: RunningVcsim): Promise<{
  ms: number;
  roundTrips: number;
  objects: number;
  vms: number;
  retrieves: number;
  continues: number;
}> {
  const start = performance.now();
  const client = new VimClient({
    address: '127.0.0.1',
    port: sim.port,
    tlsVerify: false,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 120_000,
    maxResponseBytes: 64 * 1024 * 1024,
  });
  const signal = AbortSignal.timeout(600_000);
  try {
    await client.login(USER, PASSWORD, { signal });
    const inv = await collectVcenterInventory(client, { signal, pageSize: page });
    await client.logout({ signal });
    if (inv.error) throw new Error(`collection failed: ${inv.error.code} ${inv.error.message}`);
    return {
      ms: performance.now() - start,
      roundTrips: client.roundTrips,
      objects: Object.values(inv.retrieves).reduce((n, r) => n + r.objects, 0),
      vms: inv.objects.filter((o) => o.kind === 'virtual_machine').length,
      retrieves: inv.stats.retrieveCalls,
      continues: inv.stats.continueCalls,
    };
  } finally {
    client.close();
  }
}

function reference(
  bin: string,
  sim: RunningVcsim,
): { ms: number; roundTrips: number; objects: number } {
  const input = JSON.stringify({
    kinds: VCENTER_RETRIEVES.map((k) => VCENTER_SPECS[k]),
    viewTypes: VIEW_TYPES,
  });
  const url = `https://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${sim.port}/sdk`;
  const r = spawnSync(bin, ['-url', url, '-page', String(page)], {
    input,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    ms: number;
    roundTrips: number;
    objects: number;
  };
}

const bin = vcsimBinary();
if (!bin) {
  console.error('bench: vcsim cannot be built (go + golang-github-vmware-govmomi-dev)');
  process.exit(1);
}
const ref = referenceBinary();
if (!ref) console.log('bench: no govmomi sources: reference skipped');
let failed = false;
const rows: string[] = [];
for (const size of sizes) {
  const sim = await startVcsim(
    bin,
    ['-username', USER, '-password', PASSWORD, ...size.flags],
    600_000,
  );
  try {
    if (sim.model.Machine !== size.vms)
      throw new Error(`simulator made ${sim.model.Machine} VMs, not ${size.vms}`);
    await ours(sim); // warm-up (JIT, TLS session)
    if (ref) reference(ref, sim);
    const o: Awaited<ReturnType<typeof ours>>[] = [];
    const g: ReturnType<typeof reference>[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first.
      if (i % 2 === 0) o.push(await ours(sim));
      if (ref) g.push(reference(ref, sim));
      if (i % 2 === 1) o.push(await ours(sim));
    }
    const last = o[o.length - 1] as (typeof o)[number];
    if (last.vms !== size.vms) {
      failed = true;
      console.error(`ours collected ${last.vms} VMs of ${size.vms}`);
    }
    if (g[0] && g[0].objects !== last.objects) {
      failed = true;
      console.error(`objects differ: ours ${last.objects}, reference ${g[0].objects}`);
    }
    const om = minMedMax(o.map((r) => r.ms));
    const gm = g.length ? minMedMax(g.map((r) => r.ms)) : null;
    const row =
      `${size.vms} VMs, ${last.objects} objects: ours ${om.median.toFixed(0)} ms (min ${om.min.toFixed(0)}, max ${om.max.toFixed(0)}), ` +
      `${last.roundTrips} round trips (${last.retrieves} RetrievePropertiesEx + ${last.continues} Continue)` +
      (gm && g[0]
        ? `; govmomi ${gm.median.toFixed(0)} ms (min ${gm.min.toFixed(0)}, max ${gm.max.toFixed(0)}), ${g[0].roundTrips} round trips; ratio ours/govmomi ${(om.median / gm.median).toFixed(2)}`
        : '');
    rows.push(row);
    console.log(row);
  } finally {
    await stopChild(sim.child);
  }
}
console.log(
  `\npage size ${page}, ${runs} runs per side after one warm-up; round trips include RetrieveServiceContent, Login, CreateContainerView, DestroyView and Logout`,
);
process.exit(failed ? 1 : 0);
