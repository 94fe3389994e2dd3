// Child process of outbox-kill.test.ts, killed with SIGKILL at random points.
//   drain DB API_BASE   drains the outbox to the platform (token in NOPESIGHT_TEST_TOKEN)
//   record DB SCAN_ID N records a scan of N hosts, printing "recorded I" after each commit
import { ApiClient } from '../api-client.js';
import { Uploader } from '../uploader.js';
import { nullLogger } from '../../log/logger.js';
import { openStore } from '../../store/index.js';
import { testHost, testSummary } from './scan-fixtures.js';

const [mode, databaseFile, arg1, arg2] = process.argv.slice(2);
const store = openStore({ databaseFile: databaseFile! });

if (mode === 'drain') {
  const client = new ApiClient({
    apiBase: arg1!,
    agentId: 'edge-01',
    token: process.env.NOPESIGHT_TEST_TOKEN!,
    tlsVerify: true,
  });
  const uploader = new Uploader({ outbox: store.outbox, sender: client, log: nullLogger() });
  const result = await uploader.drain({
    signal: new AbortController().signal,
    budgetMs: 120_000,
    maxConsecutiveFailures: 3,
  });
  client.close();
  store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (mode === 'record') {
  const scanId = arg1!;
  const summary = testSummary(scanId, 'running');
  store.scans.begin('edge-01', summary);
  for (let i = 0; i < Number(arg2); i++) {
    store.scans.addHost(scanId, testHost(i));
    process.stdout.write(`recorded ${i}\n`);
  }
  store.scans.finish(scanId, { ...summary, state: 'completed' });
  store.close();
  process.stdout.write('finished\n');
}
