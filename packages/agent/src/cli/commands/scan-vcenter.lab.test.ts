// `scan VCENTER --protocols vcenter` end to end in the lab: every object of the simulator's model
// comes back as a record of its own type, in the model's numbers, with runs_on / member_of
// relationships that point at records of the same scan.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import { runCli } from '../../../../../test/support/cli-io.js';
import type { VcsimModelCount } from '../../../../../test/support/vcsim.js';
import { HOSTS, VCENTER, VCENTER_TLS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath } from '../../../../../test/lab/lab.js';

/** What the lab's simulator printed about its own model when it started. */
function labModel(): VcsimModelCount {
  const log = readFileSync(labStatePath('logs', 'vcsim.log'), 'utf8');
  const line = log.split('\n').findLast((l) => l.startsWith('vcsim: model '));
  assert.ok(line, 'the simulator printed its model');
  return JSON.parse(line.slice('vcsim: model '.length)) as VcsimModelCount;
}

describe('scan --protocols vcenter in the lab', labOnly(), () => {
  let dataDir = '';
  let records: HostRecord[] = [];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scan-vc-'));
    const add = await runCli(
      dataDir,
      [
        ...['credentials', 'add', 'vcenter', '--name', 'vc', '--username', VCENTER.username],
        ...['--ca-file', VCENTER_TLS.certPath, '--scope', HOSTS.vcenter, '--stdin'],
      ],
      { password: VCENTER.password },
    );
    assert.equal(add.code, 0, add.err);
    const r = await runCli(dataDir, [
      ...['scan', HOSTS.vcenter, '--protocols', 'vcenter', '--no-dns', '--json', '-'],
    ]);
    assert.equal(r.code, 0, r.err);
    records = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts;
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("the vCenter's own record logs in and carries its about facts", () => {
    const vc = records.find((h) => h.address === HOSTS.vcenter);
    assert.ok(vc);
    assert.deepEqual(
      vc.protocols.map((p) => [p.protocol, p.status]),
      [['vcenter', 'success']],
    );
    assert.equal(vc.ci.type, 'vcenter');
    assert.equal((vc.ci['vcenter'] as { apiType?: string }).apiType, 'VirtualCenter');
  });

  test('one record per object of the model, in its numbers', () => {
    const model = labModel();
    const count = (type: string) => records.filter((h) => h.ci.type === type).length;
    assert.equal(count('virtual_machine'), model.Machine);
    assert.equal(count('hypervisor'), model.Host);
    assert.equal(count('cluster'), model.Cluster);
    assert.equal(count('datacenter'), model.Datacenter);
    assert.equal(count('datastore'), model.Datastore);
    for (const h of records.filter((x) => x.address !== HOSTS.vcenter)) {
      assert.match(h.address, new RegExp(`^vcenter:${HOSTS.vcenter.replace(/\./g, '\\.')}/`));
    }
  });

  test('every VM runs_on a host record and carries its BIOS UUID and MACs', () => {
    const addresses = new Set(records.map((h) => h.address));
    const vms = records.filter((h) => h.ci.type === 'virtual_machine');
    assert.ok(vms.length > 0);
    for (const vm of vms) {
      const runsOn = vm.relationships.filter((r) => r.type === 'runs_on');
      assert.equal(runsOn.length, 1, vm.address);
      const host = records.find((h) => h.address === runsOn[0]!.target);
      assert.equal(host?.ci.type, 'hypervisor', `${vm.address} runs on ${runsOn[0]!.target}`);
      assert.ok(vm.ci.identity.systemUuid, `${vm.address} has a BIOS UUID`);
      assert.ok(vm.macs.length > 0, `${vm.address} has MACs`);
      for (const r of vm.relationships) assert.ok(addresses.has(r.target), r.target);
    }
    const clustered = records.filter((h) => h.relationships.some((r) => r.type === 'member_of'));
    for (const h of clustered) {
      const target = h.relationships.find((r) => r.type === 'member_of')!.target;
      assert.equal(records.find((x) => x.address === target)?.ci.type, 'cluster');
    }
  });
});
