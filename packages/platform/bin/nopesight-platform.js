#!/usr/bin/env node
// The `nopesight-platform` command: the compiled CLI, its result as the exit code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`nopesight-platform: internal error: ${err?.stack ?? err}\n`);
  return 70;
});
