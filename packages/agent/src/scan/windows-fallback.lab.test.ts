// The WMI → 445 fallback against the lab Samba, through the real CLI: Samba's 135 answers but
// refuses the DCOM activator (ERR_RPC), so `scan` falls back to the 445 path; with only 445
// scanned (`--ports 445`) the 445 path runs directly. Both give the same record, the one the
// scan-windows lab test checks against Samba's own view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostRecord } from '@nopesight/model';
import type { WindowsCi } from '../collectors/windows/index.js';
import {
  sambaWindowsCli,
  type SambaWindowsCli,
} from '../../../../test/support/samba-windows-cli.js';
import { SMB } from '../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../test/lab/lab.js';

describe(
  'scan --protocols windows falls back from WMI to 445 against the lab Samba',
  labOnly(),
  () => {
    let lab: SambaWindowsCli | undefined;
    let both: HostRecord;
    let only445: HostRecord;

    before(async () => {
      lab = await sambaWindowsCli('windows-fallback');
      both = await lab.scan();
      only445 = await lab.scan(['--ports', '445']);
    });
    after(() => lab?.remove());

    test('with 135 and 445 open: WMI is tried, refused by the activator, and 445 collects', () => {
      assert.ok(both.discovery.openPorts.some((p) => p.port === 135 && p.proto === 'tcp'));
      assert.deepEqual(
        both.protocols.map((p) => [p.protocol, p.status]),
        [['windows', 'success']],
      );
      const ci = both.ci as unknown as WindowsCi;
      assert.equal(ci.collector!.path, 'smb');
      assert.deepEqual(
        ci.collector!.fallbacks.map((f) => [f.path, f.code]),
        [['wmi', 'ERR_RPC']],
      );
      assert.match(ci.collector!.fallbacks[0]!.message, /IRemoteSCMActivator/);
    });

    test('with only 445 scanned: the 445 path directly, no WMI attempt', () => {
      assert.ok(!only445.discovery.openPorts.some((p) => p.port === 135));
      const ci = only445.ci as unknown as WindowsCi;
      assert.deepEqual(ci.collector, { path: 'smb', fallbacks: [] });
      assert.equal(only445.protocols[0]!.status, 'success');
    });

    test('both give the same record, the planted fake Windows', () => {
      const { collector: _x, ...a } = both.ci as unknown as WindowsCi;
      const { collector: _y, ...b } = only445.ci as unknown as WindowsCi;
      assert.deepEqual(a, b);
      assert.deepEqual(both.sections, only445.sections);
      assert.equal(a.os!.productType, 'ServerNT');
      assert.ok(a.software.length >= 5);
      assert.ok(a.users.some((u) => u.name === SMB.username));
      assert.equal(a.membership!.name, SMB.workgroup);
    });
  },
);
