// Tests buildVcenterInventory on retrieves captured from the govmomi simulator (testdata/SOURCES.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSoapResponse } from '../../transports/vsphere/soap.js';
import {
  parseRetrieveResult,
  type ObjectContent,
} from '../../transports/vsphere/property-collector.js';
import {
  buildVcenterInventory,
  vmwareSerial,
  VCENTER_RETRIEVES,
  type VcenterRetrieve,
} from './index.js';

const dir = new URL('./testdata/', import.meta.url).pathname;
const xml = (model: string, kind: string): string =>
  readFileSync(`${dir}${model}/${kind}.xml`, 'utf8');

function load(model: string): Record<VcenterRetrieve, { objects: ObjectContent[]; error: null }> {
  return Object.fromEntries(
    VCENTER_RETRIEVES.map((k) => [
      k,
      {
        objects: parseRetrieveResult(
          parseSoapResponse(xml(model, k), 'RetrievePropertiesEx', { typed: true }),
        ).objects,
        error: null,
      },
    ]),
  ) as Record<VcenterRetrieve, { objects: ObjectContent[]; error: null }>;
}
const aboutOf = (model: string) => {
  const sc = xml(model, 'service-content');
  const f = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(sc)?.[1] ?? '';
  return {
    name: f('name'),
    fullName: f('fullName'),
    version: f('version'),
    build: f('build'),
    apiType: f('apiType'),
    apiVersion: f('apiVersion'),
    instanceUuid: f('instanceUuid') || undefined,
  };
};
/** `<obj type="T">id</obj>` occurrences in a capture: the objects it holds, counted on the text. */
const objIds = (text: string, type: string): string[] =>
  [...text.matchAll(new RegExp(`<obj type="${type}">([^<]+)</obj>`, 'g'))].map(
    (m) => m[1] as string,
  );
/** Per object, the text of its `<objects>` element. */
const objectTexts = (text: string): Map<string, string> =>
  new Map(
    [...text.matchAll(/<objects><obj type="[^"]+">([^<]+)<\/obj>(.*?)<\/objects>/gs)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );

for (const model of ['vpx', 'esx']) {
  const inv = buildVcenterInventory({ about: aboutOf(model), retrieves: load(model) });
  const kinds = (k: string) => inv.objects.filter((o) => o.kind === k);

  test(`buildVcenterInventory (${model}) makes one record per object of the capture`, () => {
    assert.deepEqual(
      kinds('virtual_machine')
        .map((o) => o.key)
        .sort(),
      objIds(xml(model, 'vms'), 'VirtualMachine').sort(),
    );
    assert.deepEqual(
      kinds('host')
        .map((o) => o.key)
        .sort(),
      objIds(xml(model, 'hosts'), 'HostSystem').sort(),
    );
    assert.deepEqual(
      kinds('cluster').map((o) => o.key),
      objIds(xml(model, 'computeResources'), 'ClusterComputeResource'),
    );
    assert.deepEqual(
      kinds('datacenter').map((o) => o.key),
      objIds(xml(model, 'datacenters'), 'Datacenter'),
    );
    assert.deepEqual(
      kinds('datastore').map((o) => o.key),
      objIds(xml(model, 'datastores'), 'Datastore'),
    );
    for (const o of inv.objects) assert.equal(o.ci.type, o.type);
  });

  test(`buildVcenterInventory (${model}) takes VM identity and placement from their properties`, () => {
    const texts = objectTexts(xml(model, 'vms'));
    for (const vm of kinds('virtual_machine')) {
      const t = texts.get(vm.key) ?? '';
      const uuid = /<name>config\.uuid<\/name><val[^>]*>([^<]+)</.exec(t)?.[1] ?? null;
      const host = /<name>runtime\.host<\/name><val[^>]*type="HostSystem">([^<]+)</.exec(t)?.[1];
      const macs = [...t.matchAll(/<macAddress>([^<]+)<\/macAddress>/g)].map((m) =>
        (m[1] as string).toLowerCase(),
      );
      assert.equal(vm.identity.systemUuid, uuid);
      assert.equal(vm.identity.serial, vmwareSerial(uuid));
      assert.deepEqual(vm.identity.macs, [...new Set(macs)]);
      assert.deepEqual(
        vm.relationships.filter((r) => r.type === 'runs_on').map((r) => r.target),
        [host],
      );
      const evidence = vm.relationships[0]?.evidence;
      assert.equal(evidence?.['from'], vm.key);
      assert.equal(evidence?.['source'], 'vcenter');
      const hw = vm.ci['hardware'] as { disks: { capacityBytes: number; datastoreName: string }[] };
      const kb = Number(/<capacityInKB>(\d+)</.exec(t)?.[1]);
      assert.equal(hw.disks[0]?.capacityBytes, kb * 1024);
      assert.equal(hw.disks[0]?.datastoreName, 'LocalDS_0');
    }
  });

  test(`buildVcenterInventory (${model}) reads ESXi hosts' hardware, version and NICs`, () => {
    const texts = objectTexts(xml(model, 'hosts'));
    for (const h of kinds('host')) {
      const t = texts.get(h.key) ?? '';
      const pnic = /<name>config\.network\.pnic<\/name>(.*?)<\/propSet>/s.exec(t)?.[1] ?? '';
      const macs = [...pnic.matchAll(/<mac>([^<]+)<\/mac>/g)].map((m) => m[1]);
      const hw = h.ci['hardware'] as {
        nics: { mac: string }[];
        cpuModel: string;
        memoryBytes: number;
      };
      assert.deepEqual(
        hw.nics.map((n) => n.mac),
        macs,
      );
      assert.equal(hw.cpuModel, /<cpuModel>([^<]+)</.exec(t)?.[1]);
      assert.equal(hw.memoryBytes, Number(/<memorySize>(\d+)</.exec(t)?.[1]));
      const os = h.ci['os'] as { version: string; build: string };
      assert.equal(
        os.build,
        /<name>summary\.config\.product<\/name>.*?<build>([^<]+)</s.exec(t)?.[1],
      );
      assert.match(h.identity.serial ?? '', /^VMware-/);
      assert.equal(
        h.identity.systemUuid,
        /<name>hardware\.systemInfo<\/name>.*?<uuid>([^<]+)</s.exec(t)?.[1],
      );
      const v = h.ci['virtualization'] as { managementIps: string[]; connectionState: string };
      assert.deepEqual(v.managementIps, ['127.0.0.1']);
      assert.equal(v.connectionState, 'connected');
    }
  });
}

test('buildVcenterInventory (vpx): clusters, datacenters and their relationships', () => {
  const inv = buildVcenterInventory({ about: aboutOf('vpx'), retrieves: load('vpx') });
  const cluster = inv.objects.find((o) => o.kind === 'cluster');
  assert.ok(cluster);
  const c = cluster.ci['cluster'] as {
    hosts: number;
    totalCpuMhz: number;
    drs: { enabled: boolean };
    ha: { enabled: boolean };
  };
  assert.equal(c.hosts, 2);
  assert.equal(c.drs.enabled, true);
  assert.equal(c.ha.enabled, false);
  const members = inv.objects.filter((o) =>
    o.relationships.some((r) => r.type === 'member_of' && r.target === cluster.key),
  );
  assert.equal(members.length, 2);
  const dc = inv.objects.find((o) => o.kind === 'datacenter');
  assert.equal(dc?.ci.vsphere.path, '/F0/DC0');
  assert.equal(
    inv.objects.filter((o) =>
      o.relationships.some((r) => r.type === 'contained_in' && r.target === dc?.key),
    ).length,
    1 + 3,
  );
  assert.equal(inv.vcenter.type, 'vcenter');
  assert.equal(inv.vcenter.endpoint, 'vcenter');
  assert.equal(inv.objects.find((o) => o.kind === 'resource_pool')?.type, 'resource_pool');
  assert.equal(inv.objects.find((o) => o.kind === 'folder')?.type, 'folder');
});

test('buildVcenterInventory marks sections whose properties were refused as denied', () => {
  const paths = [
    'config.uuid',
    'guest.hostName',
    'config.hardware.device',
    'config.guestId',
    'config.guestFullName',
    'guest.guestId',
    'guest.guestFullName',
  ];
  const vm: ObjectContent = {
    obj: { type: 'VirtualMachine', value: 'vm-9' },
    props: { name: 'locked' },
    missing: paths.map((path) => ({ path, fault: 'NoPermission' })),
  };
  const inv = buildVcenterInventory({
    about: aboutOf('vpx'),
    retrieves: { vms: { objects: [vm], error: null } },
  });
  const o = inv.objects[0];
  assert.equal(o?.sections['identity'], 'denied');
  assert.equal(o?.sections['os'], 'denied');
  assert.equal(o?.sections['hardware'], 'partial');
  assert.equal(o?.sections['virtualization'], 'complete');
  assert.equal(o?.identity.systemUuid, null);
});

test('vmwareSerial formats the BIOS UUID as VMware does, and refuses other text', () => {
  assert.equal(
    vmwareSerial('421e4b3c-7a5d-6e8f-9a0b-1c2d3e4f5061'),
    'VMware-42 1e 4b 3c 7a 5d 6e 8f-9a 0b 1c 2d 3e 4f 50 61',
  );
  assert.equal(vmwareSerial('not-a-uuid'), null);
  assert.equal(vmwareSerial(null), null);
});
