// The failed-login cap against real sshds: four wrong passwords for one account over two hosts
// scanned at once reach the hosts exactly three times (counted in the sshds' own logs), the
// account is then skipped, and the scan summary says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { main } from '../main.js';
import { testIo } from '../../../../../test/support/cli-io.js';
import { HOSTS, SSH_USERS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly, labStatePath } from '../../../../../test/lab/lab.js';

const USER = SSH_USERS.admin.username;
const LOGS = ['sshd.log', 'sshd2.log'].map((f) => labStatePath('logs', f));

/** sshd's own count of refused passwords for USER since `offsets` (one per log). */
function failedPasswords(offsets: number[]): number {
  const pattern = new RegExp(`Failed password for (invalid user )?${USER} from`, 'g');
  return LOGS.reduce((n, file, i) => {
    const text = readFileSync(file).subarray(offsets[i]).toString('utf8');
    return n + (text.match(pattern)?.length ?? 0);
  }, 0);
}

describe('failed-login cap in the lab', labOnly(), () => {
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-lockout-'));
    for (let i = 1; i <= 4; i++) {
      const io = testIo({
        env: { NOPESIGHT_DATA_DIR: dataDir },
        stdin: JSON.stringify({ password: `Wrong-Pass-${i}` }),
      });
      const code = await main(
        ['credentials', 'add', 'ssh', '--name', `wrong-${i}`, '--username', USER, '--stdin'],
        io,
      );
      assert.equal(code, 0, io.err());
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('an account stops at 3 refused passwords across hosts and the summary reports the skip', async () => {
    const offsets = LOGS.map((f) => statSync(f).size);
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir } });
    const code = await main(
      ['scan', HOSTS.ssh, HOSTS.ssh2, '--protocols', 'ssh', '--no-dns', '--json', '-'],
      io,
    );
    assert.equal(code, 0, io.err());
    const doc = JSON.parse(io.out()) as { scan: ScanSummary; hosts: HostRecord[] };
    // sshd writes its log line as it refuses; the scan has ended, so every line is there.
    assert.equal(failedPasswords(offsets), 3, 'refused passwords seen by the two sshds');
    assert.deepEqual(
      doc.scan.credentialSkips?.map((s) => [s.account, s.failures]),
      [[`ssh:${USER}`, 3]],
    );
    for (const host of doc.hosts) {
      const [attempt] = host.protocols;
      assert.ok(
        attempt?.status === 'unauthorized' || attempt?.error?.code === 'ERR_CREDENTIAL_SKIPPED',
        JSON.stringify(host.protocols),
      );
    }
    assert.ok(
      doc.hosts.some((h) => h.protocols[0]?.error?.code === 'ERR_CREDENTIAL_SKIPPED') ||
        (doc.scan.credentialSkips?.[0]?.hostsSkipped ?? 0) > 0,
      'the fourth password was never sent, and the skip is visible',
    );
  });
});
