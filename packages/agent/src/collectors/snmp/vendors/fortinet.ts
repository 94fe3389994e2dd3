// Fortinet (enterprise 12356): FortiGate firewalls; version and serial from the Fortinet MIBs.
import { extraText, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** FORTINET-FORTIGATE-MIB fgSysVersion ("v7.2.5,build1517,230606 (GA.F)"). */
const FG_SYS_VERSION = '1.3.6.1.4.1.12356.101.4.1.1.0';
/** FORTINET-CORE-MIB fnSysSerial. */
const FN_SYS_SERIAL = '1.3.6.1.4.1.12356.100.1.1.1.0';

export const fortinet: VendorModule = {
  id: 'fortinet',
  vendor: 'Fortinet',
  enterprises: [12356],
  extraOids: [FG_SYS_VERSION, FN_SYS_SERIAL],
  describe(input: VendorInput) {
    const facts = noFacts();
    const version = extraText(input, FG_SYS_VERSION);
    const m = version ? /^v?(\d+(?:\.\d+)+)(?:,build(\d+))?/.exec(version) : null;
    facts.osName = 'FortiOS';
    facts.osVersion = m ? (m[2] ? `${m[1]} build ${m[2]}` : (m[1] ?? null)) : null;
    facts.serial = input.chassis?.serial ?? extraText(input, FN_SYS_SERIAL);
    // FortiGate sysDescr is the model ("FortiGate-60F"); the serial's prefix says the same.
    const descr = (input.system.description ?? '').trim();
    facts.model = input.chassis?.model ?? /^Forti\w+[- ]?\w*/.exec(descr)?.[0] ?? null;
    const family = `${facts.model ?? ''} ${facts.serial ?? ''}`;
    if (/FortiGate|FortiWiFi|^FG|\sFG|FGT|FWF/i.test(family) || version !== null) {
      facts.role = {
        role: 'firewall',
        reason: 'fortinet: FortiGate (FortiOS answers fgSysVersion)',
      };
    } else if (/FortiAP|\sFP/i.test(family)) {
      facts.role = { role: 'access_point', reason: 'fortinet: FortiAP' };
    } else if (/FortiSwitch|\sS\d{3}/i.test(family)) {
      facts.role = { role: 'switch', reason: 'fortinet: FortiSwitch' };
    }
    return facts;
  },
};
