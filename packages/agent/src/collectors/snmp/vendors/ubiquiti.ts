// Ubiquiti (enterprise 41112): UniFi access points and switches, EdgeOS routers.
import { extraText, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** UBNT-UniFi-MIB unifiApSystemModel and unifiApSystemVersion (UniFi APs). */
const UNIFI_MODEL = '1.3.6.1.4.1.41112.1.6.3.3.0';
const UNIFI_VERSION = '1.3.6.1.4.1.41112.1.6.3.6.0';

export const ubiquiti: VendorModule = {
  id: 'ubiquiti',
  vendor: 'Ubiquiti',
  enterprises: [41112],
  extraOids: [UNIFI_MODEL, UNIFI_VERSION],
  describe(input: VendorInput) {
    const facts = noFacts();
    const descr = input.system.description ?? '';
    const apModel = extraText(input, UNIFI_MODEL);
    facts.model = input.chassis?.model ?? apModel;
    facts.serial = input.chassis?.serial ?? null;
    if (apModel !== null) {
      facts.osName = 'UniFi';
      facts.osVersion = extraText(input, UNIFI_VERSION);
      facts.role = { role: 'access_point', reason: 'ubiquiti: answers the UniFi AP MIB' };
      return facts;
    }
    let m: RegExpExecArray | null;
    // "EdgeOS v2.0.9-hotfix.7.5622731.230615.0857" / "EdgeSwitch 24-Port Lite, 1.9.3.5…"
    if ((m = /EdgeOS v?(\S+)/.exec(descr))) {
      facts.osName = 'EdgeOS';
      facts.osVersion = m[1] ?? null;
      facts.role = { role: 'router', reason: 'ubiquiti: EdgeOS router' };
    } else if ((m = /^(EdgeSwitch[^,]*|US[-\w]*|USW[-\w]*),\s*([\d.]+)/.exec(descr))) {
      facts.model = facts.model ?? m[1] ?? null;
      facts.osVersion = m[2] ?? null;
      facts.role = { role: 'switch', reason: `ubiquiti: ${m[1]} switch` };
    } else if ((m = /^(UAP[-\w]*|U6[-\w]*|U7[-\w]*)\b/.exec(descr))) {
      facts.model = facts.model ?? m[1] ?? null;
      facts.role = { role: 'access_point', reason: `ubiquiti: ${m[1]} access point` };
    }
    return facts;
  },
};
