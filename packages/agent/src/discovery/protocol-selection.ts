// Picks the inventory protocols a host qualifies for, and a first CI type, from what the sweep saw.
import type { CiType, Protocol, SmbFacts, SnmpV3EngineFacts, VsphereFacts } from '@nopesight/model';

/** What protocol selection looks at: ports and unauthenticated fingerprints. */
export interface SelectionInput {
  openTcp: number[];
  openUdp: number[];
  /** SSH identification line, when port 22 answered with one. */
  sshBanner?: string;
  smb?: SmbFacts;
  vsphere?: VsphereFacts;
  snmpSysDescr?: string;
  /** The engine that answered the unauthenticated SNMPv3 discovery. */
  snmpV3?: SnmpV3EngineFacts;
}

export interface Selection {
  protocols: Protocol[];
  type: CiType;
  typeReason: string;
}

const NETWORK_OS =
  /cisco|junos|juniper|routeros|mikrotik|fortigate|fortios|pan-os|arubaos|procurve|comware|huawei|edgeos|ubiquiti|vyos/i;

/**
 * Maps ports and fingerprints to protocols: 22→ssh, 135 or 445→windows, 5985/5986→winrm,
 * 161/udp (a community or an SNMPv3 engine answered)→snmp, 443 answering vSphere→vcenter. A host
 * matching nothing gets no protocol.
 *
 * @example
 * selectProtocols({ openTcp: [22, 445], openUdp: [] }).protocols // ['ssh', 'windows']
 */
export function selectProtocols(input: SelectionInput): Selection {
  const tcp = new Set(input.openTcp);
  const protocols: Protocol[] = [];
  const reasons: string[] = [];
  if (tcp.has(22)) {
    protocols.push('ssh');
    reasons.push('tcp/22 ssh');
  }
  if (tcp.has(135) || tcp.has(445)) {
    protocols.push('windows');
    reasons.push(tcp.has(445) ? 'tcp/445 smb' : 'tcp/135 rpc');
  }
  if (tcp.has(5985) || tcp.has(5986)) {
    protocols.push('winrm');
    reasons.push('tcp/5985-5986 wsman');
  }
  if (input.openUdp.includes(161) || input.snmpSysDescr !== undefined || input.snmpV3) {
    protocols.push('snmp');
    // A v3 engine with no community: only v3 credentials can work, say so.
    reasons.push(
      input.snmpV3 && input.snmpSysDescr === undefined ? 'udp/161 snmpv3 engine' : 'udp/161 snmp',
    );
  }
  if (input.vsphere) {
    protocols.push('vcenter');
    reasons.push(`tcp/443 vsphere ${input.vsphere.apiType}`);
  }
  return { protocols, ...classify(input, reasons) };
}

function classify(input: SelectionInput, reasons: string[]): { type: CiType; typeReason: string } {
  const why = (type: CiType, reason: string) => ({
    type,
    typeReason: [reason, ...reasons].join('; '),
  });
  if (input.vsphere?.apiType === 'VirtualCenter')
    return why('vcenter', 'vSphere apiType VirtualCenter');
  if (input.vsphere?.apiType === 'HostAgent') return why('hypervisor', 'vSphere apiType HostAgent');
  if (input.snmpSysDescr && NETWORK_OS.test(input.snmpSysDescr)) {
    return why('network_device', 'sysDescr names a network OS');
  }
  if (input.sshBanner && NETWORK_OS.test(input.sshBanner)) {
    return why('network_device', 'SSH banner names a network OS');
  }
  return why('unknown', 'not enough evidence without credentials');
}
