// MikroTik (enterprise 14988): RouterOS routers and CRS/CSS switches; MIKROTIK-MIB serial and versions.
import { extraText, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** MIKROTIK-MIB: mtxrLicVersion (RouterOS), mtxrSerialNumber, mtxrFirmwareVersion. */
const MTXR_LIC_VERSION = '1.3.6.1.4.1.14988.1.1.4.4.0';
const MTXR_SERIAL = '1.3.6.1.4.1.14988.1.1.7.3.0';
const MTXR_FIRMWARE = '1.3.6.1.4.1.14988.1.1.7.4.0';

export const mikrotik: VendorModule = {
  id: 'mikrotik',
  vendor: 'MikroTik',
  enterprises: [14988],
  extraOids: [MTXR_LIC_VERSION, MTXR_SERIAL, MTXR_FIRMWARE],
  describe(input: VendorInput) {
    const facts = noFacts();
    // sysDescr is "RouterOS RB4011iGS+" (older: "RouterOS CCR1036-12G-4S").
    const m = /^RouterOS\s+(\S+)/.exec(input.system.description ?? '');
    facts.model = input.chassis?.model ?? m?.[1] ?? null;
    facts.osName = 'RouterOS';
    facts.osVersion = extraText(input, MTXR_LIC_VERSION);
    facts.serial = input.chassis?.serial ?? extraText(input, MTXR_SERIAL);
    facts.firmwareVersion = extraText(input, MTXR_FIRMWARE);
    const model = facts.model ?? '';
    if (/^(CRS|CSS)/i.test(model)) {
      facts.role = { role: 'switch', reason: `mikrotik: ${model} is a cloud router switch` };
    } else if (/^(cAP|wAP|hAP ac|Audience|LHG|SXT|mANTBox|Groove|NetMetal)/i.test(model)) {
      facts.role = { role: 'access_point', reason: `mikrotik: ${model} is a wireless device` };
    } else if (m) {
      facts.role = { role: 'router', reason: `mikrotik: RouterOS on ${model}` };
    }
    return facts;
  },
};
