// Cisco (enterprise 9): IOS, IOS XE, NX-OS and ASA from sysDescr; model and serial from ENTITY-MIB.
import {
  firstLine,
  noFacts,
  type RoleHint,
  type VendorInput,
  type VendorModule,
} from './vendor.js';

const IOS = /Cisco IOS(?: XE)? Software(?: \[[^\]]*\])?,.*?\(([^)]+)\), Version ([^,\s]+)/;
const IOS_XE = /IOS[ -]XE/;
const NXOS = /Cisco NX-OS.*?, Version ([^,\s]+)/;
const ASA = /Cisco Adaptive Security Appliance Version ([^\s,]+)/;

/** Model prefixes (ENTITY model or CDP-style names) and the class they name. */
const MODEL_ROLES: [RegExp, RoleHint['role']][] = [
  [/^(ASA|FPR|Firepower)/i, 'firewall'],
  [/^AIR-|^C91\d\dAX/i, 'access_point'],
  [/^(WS-C|C9[2-6]00|C1000-|IE-|N[2-9]K-|Nexus|CBS|SG\d)/i, 'switch'],
  [/^(ISR|ASR|C8[0-9]00|CISCO[0-9]{3,4}|C[0-9]{3,4}-|IR[0-9])/i, 'router'],
];

export const cisco: VendorModule = {
  id: 'cisco',
  vendor: 'Cisco',
  enterprises: [9],
  extraOids: [],
  describe(input: VendorInput) {
    const facts = noFacts();
    const descr = input.system.description ?? '';
    const line = firstLine(input.system);
    const chassis = input.chassis;
    facts.model = chassis?.model ?? chassis?.description ?? null;
    facts.serial = chassis?.serial ?? null;
    facts.hardwareVersion = chassis?.hardwareRevision ?? null;
    facts.firmwareVersion = chassis?.firmwareRevision ?? null;
    let m: RegExpExecArray | null;
    if ((m = ASA.exec(descr))) {
      facts.osName = 'ASA';
      facts.osVersion = m[1] ?? null;
      facts.role = {
        role: 'firewall',
        reason: 'cisco: sysDescr names Adaptive Security Appliance',
      };
    } else if ((m = NXOS.exec(descr))) {
      facts.osName = 'NX-OS';
      facts.osVersion = m[1] ?? null;
    } else if ((m = IOS.exec(line))) {
      facts.osName = IOS_XE.test(line) ? 'IOS XE' : 'IOS';
      facts.osVersion = m[2] ?? null;
    }
    if (facts.role === null && facts.model) {
      const hit = MODEL_ROLES.find(([re]) => re.test(facts.model as string));
      if (hit) facts.role = { role: hit[1], reason: `cisco: model ${facts.model}` };
    }
    return facts;
  },
};
