// Test-only, for lab tests: the lab Samba scanned as a Windows host through the real CLI — a
// fresh data directory holding the lab's Windows credential (scoped to the Samba host), and
// `scan SAMBA --protocols windows` returning the Samba host's record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import { HOSTS, SMB } from '../lab/lab-hosts.js';
import { runCli, type CliRun } from './cli-io.js';

export interface SambaWindowsCli {
  /** Runs the CLI on this data directory. */
  cli(args: string[], stdin?: object): Promise<CliRun>;
  /** `scan SAMBA --protocols windows --no-dns --json -` plus `extra`: the Samba host's record. */
  scan(extra?: string[]): Promise<HostRecord>;
  /** Removes the data directory. */
  remove(): void;
}

/**
 * A data directory under the system temp folder (named `nopesight-<name>-…`) with the credential
 * `lab` (SMB.username / SMB.password, scope HOSTS.smb) stored; fails the test, the directory
 * removed, if the CLI refuses.
 * @example const lab = await sambaWindowsCli('scan-windows'); const host = await lab.scan();
 */
export async function sambaWindowsCli(name: string): Promise<SambaWindowsCli> {
  const dataDir = mkdtempSync(join(tmpdir(), `nopesight-${name}-`));
  const cli = (args: string[], stdin?: object) => runCli(dataDir, args, stdin);
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const add = await cli(
      [
        'credentials',
        'add',
        'windows',
        '--name',
        'lab',
        '--username',
        SMB.username,
        '--scope',
        HOSTS.smb,
        '--stdin',
      ],
      { password: SMB.password },
    );
    assert.equal(add.code, 0, add.err);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    cli,
    async scan(extra: string[] = []) {
      const r = await cli([
        'scan',
        HOSTS.smb,
        '--protocols',
        'windows',
        '--no-dns',
        '--json',
        '-',
        ...extra,
      ]);
      assert.equal(r.code, 0, r.err);
      const host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts.find(
        (h) => h.address === HOSTS.smb,
      );
      assert.ok(host, 'the Samba host was reported');
      return host;
    },
    remove,
  };
}
