#!/usr/bin/env node
// Entry point of the `nopesight-scanner` command: runs the compiled CLI.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`nopesight-scanner: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
