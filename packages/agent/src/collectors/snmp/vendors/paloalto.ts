// Palo Alto Networks (enterprise 25461): PAN-OS firewalls; versions and serial from PAN-COMMON-MIB.
import { extraText, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** PAN-COMMON-MIB panSys: software version, hardware version, serial number. */
const PAN_SW_VERSION = '1.3.6.1.4.1.25461.2.1.2.1.1.0';
const PAN_HW_VERSION = '1.3.6.1.4.1.25461.2.1.2.1.2.0';
const PAN_SERIAL = '1.3.6.1.4.1.25461.2.1.2.1.3.0';

export const paloalto: VendorModule = {
  id: 'paloalto',
  vendor: 'Palo Alto Networks',
  enterprises: [25461],
  extraOids: [PAN_SW_VERSION, PAN_HW_VERSION, PAN_SERIAL],
  describe(input: VendorInput) {
    const facts = noFacts();
    facts.osName = 'PAN-OS';
    facts.osVersion = extraText(input, PAN_SW_VERSION);
    facts.hardwareVersion =
      extraText(input, PAN_HW_VERSION) ?? input.chassis?.hardwareRevision ?? null;
    facts.serial = input.chassis?.serial ?? extraText(input, PAN_SERIAL);
    // sysDescr is "Palo Alto Networks PA-3200 series firewall"; ENTITY model is "PA-3220".
    const m = /\b(PA-\w+|VM-\d+\w*|M-\d+)\b/.exec(input.system.description ?? '');
    facts.model = input.chassis?.model ?? m?.[1] ?? null;
    const panorama = /^M-\d+|panorama/i.test(
      `${facts.model ?? ''} ${input.system.description ?? ''}`,
    );
    if (!panorama) facts.role = { role: 'firewall', reason: 'paloalto: PAN-OS firewall' };
    return facts;
  },
};
