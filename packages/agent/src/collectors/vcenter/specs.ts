// What the vCenter collector retrieves: one PropertyCollector request per kind of object, with the
// property paths its mappers read (nothing else, so pages stay small).
import type { PropertySpec } from '../../transports/vsphere/property-collector.js';

/** The kinds retrieved, in order; each is one paged RetrievePropertiesEx over one ContainerView. */
export const VCENTER_RETRIEVES = [
  'datacenters',
  'folders',
  'computeResources',
  'resourcePools',
  'hosts',
  'vms',
  'datastores',
  'networks',
] as const;
export type VcenterRetrieve = (typeof VCENTER_RETRIEVES)[number];

/**
 * The managed object types the ContainerView lists (subtypes included: ClusterComputeResource
 * under ComputeResource, VirtualApp under ResourcePool, DistributedVirtualPortgroup and
 * OpaqueNetwork under Network).
 */
export const VIEW_TYPES = [
  'Datacenter',
  'Folder',
  'ComputeResource',
  'ResourcePool',
  'HostSystem',
  'VirtualMachine',
  'Datastore',
  'Network',
] as const;

/**
 * Property paths per retrieve. Only paths that exist since vSphere 5.5 (an unknown path is an
 * InvalidProperty fault for the whole request on vCenter). `configurationEx` is read whole:
 * vCenter refuses paths into it, as its declared type (ComputeResourceConfigInfo) lacks dasConfig.
 */
export const VCENTER_SPECS: Record<VcenterRetrieve, readonly PropertySpec[]> = {
  datacenters: [{ type: 'Datacenter', paths: ['name', 'parent'] }],
  folders: [{ type: 'Folder', paths: ['name', 'parent', 'childType'] }],
  computeResources: [
    { type: 'ComputeResource', paths: ['name', 'parent', 'host', 'resourcePool', 'summary'] },
    { type: 'ClusterComputeResource', paths: ['configurationEx'] },
  ],
  resourcePools: [
    {
      type: 'ResourcePool',
      paths: ['name', 'parent', 'owner', 'config.cpuAllocation', 'config.memoryAllocation'],
    },
  ],
  hosts: [
    {
      type: 'HostSystem',
      paths: [
        'name',
        'parent',
        'summary.hardware',
        'hardware.systemInfo',
        'summary.config.product',
        'summary.managementServerIp',
        'runtime.powerState',
        'runtime.connectionState',
        'runtime.inMaintenanceMode',
        'config.network.pnic',
        'config.network.vnic',
        'config.network.dnsConfig',
      ],
    },
  ],
  vms: [
    {
      type: 'VirtualMachine',
      paths: [
        'name',
        'parent',
        'parentVApp',
        'config.uuid',
        'config.instanceUuid',
        'config.guestId',
        'config.guestFullName',
        'config.template',
        'config.annotation',
        'config.version',
        'config.hardware.numCPU',
        'config.hardware.numCoresPerSocket',
        'config.hardware.memoryMB',
        'config.hardware.device',
        'runtime.powerState',
        'runtime.host',
        'resourcePool',
        'guest.toolsStatus',
        'guest.toolsRunningStatus',
        'guest.toolsVersion',
        'guest.guestId',
        'guest.guestFullName',
        'guest.hostName',
        'guest.ipAddress',
        'guest.net',
        'datastore',
        'network',
      ],
    },
  ],
  datastores: [{ type: 'Datastore', paths: ['name', 'parent', 'summary'] }],
  networks: [
    { type: 'Network', paths: ['name', 'parent'] },
    {
      type: 'DistributedVirtualPortgroup',
      paths: ['config.key', 'config.distributedVirtualSwitch', 'config.defaultPortConfig'],
    },
  ],
};
