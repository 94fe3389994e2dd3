// sysObjectID → IANA enterprise: number and registered organisation, from the generated table.
import {
  ENTERPRISE_NAMES_BY_NUMBER,
  ENTERPRISE_NUMBERS_SOURCE,
} from './enterprise-numbers.generated.js';

export { ENTERPRISE_NUMBERS_SOURCE };

const ENTERPRISES_ARC = '1.3.6.1.4.1.';

/** The enterprise number under 1.3.6.1.4.1 that an OID belongs to; null for other subtrees. */
export function enterpriseNumber(oid: string | null): number | null {
  if (oid === null) return null;
  const o = oid.replace(/^\./, '');
  if (!o.startsWith(ENTERPRISES_ARC)) return null;
  const n = Number(o.slice(ENTERPRISES_ARC.length).split('.')[0]);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * Registered names by number. The table (about 1.3 MB of text) is split on first use and kept
 * by this instance: share one across a scan.
 */
export class EnterpriseNumbers {
  #names: string[] | null = null;

  /** The organisation registered for `n`; null when unassigned or out of range. @example new EnterpriseNumbers().name(9) // → 'ciscoSystems' */
  name(n: number | null): string | null {
    if (n === null || !Number.isInteger(n) || n < 0) return null;
    this.#names ??= ENTERPRISE_NAMES_BY_NUMBER.split('\n');
    const name = this.#names[n];
    return name ? name : null;
  }
}
