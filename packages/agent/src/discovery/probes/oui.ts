// MAC vendor lookup from the IEEE registries (oui-data package), loaded lazily and once per instance.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ScannerError } from '../../errors.js';

/** Canonical form `aa:bb:cc:dd:ee:ff`, or null when `text` is not a 48-bit MAC. */
export function normalizeMac(text: string): string | null {
  const parts = text.trim().split(/[:-]/);
  if (parts.length === 6) {
    if (!parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
    return parts.map((p) => p.padStart(2, '0').toLowerCase()).join(':');
  }
  // Cisco-style 0011.2233.4455 or bare 001122334455.
  const bare = text.trim().replace(/\./g, '');
  if (/^[0-9a-fA-F]{12}$/.test(bare)) return bare.toLowerCase().match(/../g)!.join(':');
  return null;
}

/** True for all-zero, broadcast and multicast (group bit) addresses: never a host's own MAC. */
export function isUnusableMac(mac: string): boolean {
  const first = parseInt(mac.slice(0, 2), 16);
  return mac === '00:00:00:00:00:00' || (first & 0x01) === 0x01;
}

/**
 * True for locally administered addresses (U/L bit set): randomized Wi-Fi/phone MACs, VM and
 * container interfaces. Their first octets are not an IEEE assignment, so they have no vendor.
 */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) === 0x02;
}

/** Loads the raw registry: an object from hex prefix (6, 7 or 9 digits) to a multi-line address. */
export type OuiLoader = () => Promise<Record<string, string>>;

const defaultLoader: OuiLoader = async () => {
  // Read the JSON file directly rather than importing it: no import attributes needed, and the
  // 5 MB file is parsed only when a MAC is actually found.
  const path = createRequire(import.meta.url).resolve('oui-data');
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
};

/**
 * Vendor names by MAC. The registry is loaded on the first `vendor()` call and kept by this
 * instance (share one across a scan); only the first line of each entry (the organisation)
 * is kept, which halves its memory.
 */
export class OuiDatabase {
  readonly #load: OuiLoader;
  #table: Promise<Map<string, string>> | null = null;

  constructor(load: OuiLoader = defaultLoader) {
    this.#load = load;
  }

  /**
   * The organisation the MAC's prefix is assigned to, longest match first (MA-S 36 bits, MA-M
   * 28 bits, MA-L 24 bits, as the registry subdivides); null for locally administered,
   * multicast or unknown prefixes.
   */
  async vendor(mac: string): Promise<string | null> {
    const norm = normalizeMac(mac);
    if (!norm || isUnusableMac(norm) || isLocallyAdministered(norm)) return null;
    const table = await this.#loadOnce();
    const hex = norm.replace(/:/g, '').toUpperCase();
    return (
      table.get(hex.slice(0, 9)) ?? table.get(hex.slice(0, 7)) ?? table.get(hex.slice(0, 6)) ?? null
    );
  }

  #loadOnce(): Promise<Map<string, string>> {
    if (!this.#table) {
      this.#table = this.#load().then(
        (raw) => {
          const m = new Map<string, string>();
          for (const [k, v] of Object.entries(raw)) {
            const name = v.split('\n', 1)[0]!.trim();
            if (name) m.set(k.toUpperCase(), name);
          }
          return m;
        },
        (err: unknown) => {
          this.#table = null;
          throw new ScannerError('ERR_IO', 'OUI registry (oui-data) could not be loaded', {
            cause: err,
          });
        },
      );
    }
    return this.#table;
  }
}
