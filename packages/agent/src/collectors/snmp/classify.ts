// Device class from what the agent says and which MIBs answered, with the reason kept in words.
import type { CiType } from '@nopesight/model';
import type { SystemFacts } from './parsers/system.js';
import type { DeviceRole, RoleHint } from './vendors/vendor.js';

export interface ClassifyInput {
  system: SystemFacts;
  /** The vendor module's or Printer-MIB's conclusion, when it had one. */
  hint: RoleHint | null;
  mibs: {
    /** Printer-MIB prtGeneralTable answered. */
    printer: boolean;
    /** UPS-MIB upsIdent answered. */
    ups: boolean;
    /** BRIDGE-MIB bridge ports (dot1dBasePortTable rows) or forwarding entries. */
    bridgePorts: number;
    /** HOST-RESOURCES storage, devices or processes answered. */
    hostResources: boolean;
    /** Names of installed software (HOST-RESOURCES), for telling Windows servers from clients. */
    installedSoftware: readonly string[];
    /** Interfaces of IANAifType ieee80211 (71). */
    wirelessInterfaces: number;
  };
}

export interface Classification {
  role: DeviceRole;
  /** The host record's CiType for that role (the model has no finer class for network gear). */
  ciType: CiType;
  reason: string;
}

const CI_TYPE: Record<DeviceRole, CiType> = {
  router: 'network_device',
  switch: 'network_device',
  firewall: 'network_device',
  access_point: 'network_device',
  printer: 'network_device',
  ups: 'network_device',
  server: 'server',
  workstation: 'workstation',
  unknown: 'unknown',
};

function result(role: DeviceRole, reason: string): Classification {
  return { role, ciType: CI_TYPE[role], reason };
}

function services(s: SystemFacts): string {
  return s.services === null
    ? 'sysServices absent'
    : `sysServices ${s.services} (${s.serviceLayers.join('+') || 'none'})`;
}

/**
 * Decides in this order: Printer-MIB, UPS-MIB, vendor knowledge, a host's HOST-RESOURCES, then
 * BRIDGE-MIB ports, ipForwarding and sysServices layers. Pure.
 * @example classify({ system, hint: null, mibs }) // → { role: 'switch', ciType: 'network_device', reason: 'BRIDGE-MIB: 34 ports; sysServices 6 (datalink+internet)' }
 */
export function classify(input: ClassifyInput): Classification {
  const { system: s, mibs } = input;
  const descr = s.description ?? '';
  if (mibs.printer) return result('printer', 'Printer-MIB prtGeneralTable answered');
  if (mibs.ups) return result('ups', 'UPS-MIB upsIdent answered');
  if (input.hint && input.hint.role !== 'unknown')
    return result(input.hint.role, input.hint.reason);
  const layers = new Set(s.serviceLayers);
  if (mibs.hostResources && mibs.bridgePorts === 0) {
    if (/Windows/i.test(descr)) {
      const server =
        /Server/i.test(descr) || mibs.installedSoftware.some((n) => /Windows Server/i.test(n));
      return server
        ? result('server', 'HOST-RESOURCES answered; Windows Server named in sysDescr or software')
        : result(
            'workstation',
            'HOST-RESOURCES answered; Windows without "Server" in sysDescr or software',
          );
    }
    const os = /^(\S+)/.exec(descr)?.[1] ?? 'unknown OS';
    return result(
      'server',
      `HOST-RESOURCES answered (a host agent); sysDescr starts ${os}; ${services(s)}`,
    );
  }
  if (mibs.bridgePorts > 0 && (layers.has('datalink') || s.services === null)) {
    if (mibs.wirelessInterfaces > 0 && !layers.has('internet')) {
      return result(
        'access_point',
        `BRIDGE-MIB with ${mibs.wirelessInterfaces} ieee80211 interfaces; ${services(s)}`,
      );
    }
    return result('switch', `BRIDGE-MIB: ${mibs.bridgePorts} ports; ${services(s)}`);
  }
  if (layers.has('internet') || s.ipForwarding === true) {
    const fwd = s.ipForwarding === true ? 'ipForwarding 1; ' : '';
    return result('router', `${fwd}${services(s)}; no bridge ports`);
  }
  if (layers.has('datalink') && mibs.wirelessInterfaces > 0) {
    return result(
      'access_point',
      `${mibs.wirelessInterfaces} ieee80211 interfaces; ${services(s)}`,
    );
  }
  if (layers.has('datalink')) return result('switch', `${services(s)}`);
  if (layers.has('end-to-end') || layers.has('applications')) {
    return result('server', `${services(s)}: a host without HOST-RESOURCES`);
  }
  return result('unknown', `no class evidence: ${services(s)}`);
}
