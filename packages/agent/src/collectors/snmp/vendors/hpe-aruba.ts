// HPE and Aruba (enterprises 11, 14823, 47196): ProCurve/ArubaOS-Switch, ArubaOS-CX and Aruba APs/controllers.
import { extraText, firstLine, noFacts, type VendorInput, type VendorModule } from './vendor.js';

/** SEMI-MIB hpHttpMgSerialNumber: the serial ProCurve/ArubaOS-Switch agents report. */
const HP_SERIAL = '1.3.6.1.4.1.11.2.36.1.1.2.9.0';

// "ProCurve J9021A Switch 2810-24G, revision N.11.75, ROM N.10.01 (/sw/code/build/bass)"
// "Aruba JL256A 2930F-48G-PoE+-4SFP+ Switch, revision WC.16.10.0012, ROM WC.16.01.0008 …"
const PROVISION =
  /^(?:HP |Hewlett-Packard |HPE |Aruba )?(?:ProCurve )?(J[A-Z]?\d{3,4}[A-Z]{1,2})\s+(.*?),\s*revision ([^,\s]+)(?:,\s*ROM ([^\s,]+))?/;
// "Aruba JL668A 6300F 24G 4SFP56 Swch FL.10.10.1040" (ArubaOS-CX)
const AOS_CX = /^(?:Aruba|HPE)\s+(J[A-Z]\d{3,4}[A-Z])\s+(.*?)\s+([A-Z]{2}\.\d+\.\d+\.\d+)\s*$/;
// "ArubaOS (MODEL: 515), Version 8.10.0.6 …" (Aruba controllers and APs)
const ARUBA_OS = /ArubaOS \(MODEL: ([^)]+)\), Version ([^\s,]+)/;
// "ArubaOS-CX" / "Aruba Instant On" / "HP ProLiant" are recognised only by these words.

export const hpeAruba: VendorModule = {
  id: 'hpe-aruba',
  vendor: 'HPE Aruba',
  enterprises: [11, 14823, 47196],
  extraOids: [HP_SERIAL],
  describe(input: VendorInput) {
    const facts = noFacts();
    const line = firstLine(input.system);
    facts.serial = input.chassis?.serial ?? extraText(input, HP_SERIAL);
    facts.hardwareVersion = input.chassis?.hardwareRevision ?? null;
    let m: RegExpExecArray | null;
    if ((m = PROVISION.exec(line))) {
      facts.model = `${m[1]} ${m[2]}`.trim();
      facts.osName = /^(Aruba|HPE)/.test(line) ? 'ArubaOS-Switch' : 'ProVision';
      facts.osVersion = m[3] ?? null;
      facts.firmwareVersion = m[4] ?? null;
      if (/switch/i.test(m[2] ?? '')) {
        facts.role = { role: 'switch', reason: `hpe-aruba: sysDescr names ${m[1]} a switch` };
      }
    } else if ((m = AOS_CX.exec(line))) {
      facts.model = `${m[1]} ${m[2]}`;
      facts.osName = 'ArubaOS-CX';
      facts.osVersion = m[3] ?? null;
      facts.role = { role: 'switch', reason: 'hpe-aruba: ArubaOS-CX switch' };
    } else if ((m = ARUBA_OS.exec(line))) {
      facts.model = m[1] ?? null;
      facts.osName = 'ArubaOS';
      facts.osVersion = m[2] ?? null;
      // Numeric models (505, 515, 635…) are access points; 7xxx/9xxx are controllers.
      if (/^(AP-)?\d{3}[A-Z]*$/.test(m[1] ?? '')) {
        facts.role = { role: 'access_point', reason: `hpe-aruba: ArubaOS model ${m[1]} is an AP` };
      }
    }
    facts.model = input.chassis?.model ?? facts.model;
    return facts;
  },
};
