// PLACEHOLDER — the scan command is being written.
import type { Command } from '../io.js';
import { EXIT } from '../exit-codes.js';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'sweep targets, fingerprint open ports and collect inventory',
  help: 'Usage: nopesight-scanner scan TARGETS... [options]',
  async run(_args, io) {
    io.stderr.write('scan: not yet available\n');
    return EXIT.failed;
  },
};
