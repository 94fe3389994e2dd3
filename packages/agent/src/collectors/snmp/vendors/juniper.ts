// Juniper (enterprise 2636): Junos version from sysDescr; box serial from JUNIPER-MIB jnxBoxAnatomy.
import { extraText, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** JUNIPER-MIB jnxBoxDescr and jnxBoxSerialNo. */
const JNX_BOX_DESCR = '1.3.6.1.4.1.2636.3.1.2.0';
const JNX_BOX_SERIAL = '1.3.6.1.4.1.2636.3.1.3.0';

// "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 21.4R3-S4.9, Build date: …"
const DESCR = /Juniper Networks, Inc\. (\S+)\s+(.*?)(?:, kernel JUNOS ([^\s,]+))?(?:,|$)/;

export const juniper: VendorModule = {
  id: 'juniper',
  vendor: 'Juniper Networks',
  enterprises: [2636],
  extraOids: [JNX_BOX_DESCR, JNX_BOX_SERIAL],
  describe(input: VendorInput) {
    const facts = noFacts();
    const m = DESCR.exec(input.system.description ?? '');
    const model = m?.[1] ?? null;
    const kind = m?.[2] ?? '';
    facts.model = input.chassis?.model ?? model ?? extraText(input, JNX_BOX_DESCR);
    facts.serial = input.chassis?.serial ?? extraText(input, JNX_BOX_SERIAL);
    facts.osName = 'Junos';
    facts.osVersion = m?.[3] ?? null;
    const family = (model ?? facts.model ?? '').toLowerCase();
    if (/^srx|^vsrx/.test(family) || /firewall|services gateway/i.test(kind)) {
      facts.role = { role: 'firewall', reason: `juniper: ${model ?? facts.model} is an SRX` };
    } else if (/^(ex|qfx)/.test(family) || /switch/i.test(kind)) {
      facts.role = {
        role: 'switch',
        reason: `juniper: ${model ?? facts.model} is an EX/QFX switch`,
      };
    } else if (/^(mx|ptx|acx|m\d|t\d)/.test(family) || /router/i.test(kind)) {
      facts.role = { role: 'router', reason: `juniper: ${model ?? facts.model} is a router` };
    } else if (/^(ap|mist)/.test(family)) {
      facts.role = { role: 'access_point', reason: `juniper: ${model} is an access point` };
    }
    return facts;
  },
};
