// Reads a captured packet kept as hex text: lines starting with '#' say where it came from.
import { readFileSync } from 'node:fs';

/** The bytes of a `.hex` capture file (comment lines dropped, whitespace ignored). */
export function readHexCapture(file: URL): Buffer {
  const text = readFileSync(file, 'utf8');
  return Buffer.from(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('')
      .replace(/\s+/g, ''),
    'hex',
  );
}
