// The agent's CLI as its own process (main with the process's stdio, run from source under tsx),
// for tests that SIGKILL a real command part-way, such as `uploads flush` (e2e-upload.lab.test.ts).
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
