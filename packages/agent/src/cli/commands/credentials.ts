// PLACEHOLDER — being replaced by the vault work (credentials add/list/remove/test).
import type { Command } from '../io.js';
import { EXIT } from '../exit-codes.js';

export const credentialsCommand: Command = {
  name: 'credentials',
  summary: 'manage stored target credentials (not yet available)',
  help: 'Usage: nopesight-scanner credentials add|list|remove|test ...',
  async run(_args, io) {
    io.stderr.write('credentials: not yet available\n');
    return EXIT.failed;
  },
};
