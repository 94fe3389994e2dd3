// WMI over DCOM against the lab's Samba: Samba serves the endpoint mapper on 135 but has no DCOM,
// so activation must fail fast with a named ERR_RPC — the "RPC reachable, no WMI" case the
// Windows collector falls back from (to the 445 path).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { hasCode } from '../../errors.js';
import { WmiSession } from './wmi-session.js';

const creds = { username: SMB.username, domain: SMB.netbiosName, password: SMB.password };

test(
  'RemoteCreateInstance against Samba on 135 fails with a named ERR_RPC, without hanging',
  labOnly(),
  async (t) => {
    await assert.rejects(
      WmiSession.connect(HOSTS.smb, creds, {
        signal: new AbortController().signal,
        timeoutMs: 10_000,
      }),
      (e) => {
        assert.ok(hasCode(e, 'ERR_RPC'), `expected ERR_RPC, got ${String(e)}`);
        assert.match(String(e), /IRemoteSCMActivator/);
        t.diagnostic(String(e));
        return true;
      },
    );
  },
);
