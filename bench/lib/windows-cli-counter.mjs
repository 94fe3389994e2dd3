// Preload for the windows-inventory bench (node --import): counts what the CLI's Windows collector
// asks of SMB2 and DCE/RPC (windows-counters.mjs) and prints it as one JSON line on stderr at exit.
import { installWindowsCounters } from './windows-counters.mjs';

const counts = installWindowsCounters();
process.on('exit', () =>
  process.stderr.write(`${JSON.stringify({ benchWindowsCounts: counts })}\n`),
);
