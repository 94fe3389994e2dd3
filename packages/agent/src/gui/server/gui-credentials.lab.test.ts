// Credentials through the GUI API against the lab's real sshd: a stored SSH credential logs in
// (status success, the host's name among the facts), a wrong password is `unauthorized`, and
// neither password is in any answer or log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, SSH_USERS } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { startGuiServer, type GuiServer } from './gui-server.js';
import { GuiClient, transcript } from './testdata/gui-client.js';

const WRONG = 'lab-Wrong-Gui-Secret-7';
const root = mkdtempSync(join(tmpdir(), 'nopesight-gui-lab-'));
let gui: GuiServer | undefined;
let page: GuiClient;

before(async () => {
  const staticDir = join(root, 'static');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  gui = await startGuiServer({ dataDir: join(root, 'data'), env: {}, staticDir });
  page = new GuiClient(gui.port);
  await page.login(gui.loginUrl);
});

after(async () => {
  await gui?.close();
  rmSync(root, { recursive: true, force: true });
});

test(
  'an SSH credential tested through the GUI logs in to the lab sshd; a wrong one is refused',
  labOnly(),
  async () => {
    const { username, password } = SSH_USERS.plain;
    for (const [name, secret] of [
      ['right', password],
      ['wrong', WRONG],
    ] as const) {
      const added = await page.call('POST', '/api/credentials', {
        kind: 'ssh',
        name,
        username,
        secrets: { password: secret },
      });
      assert.equal(added.status, 201, added.text);
    }
    const ok = (
      await page.call('POST', '/api/credentials/right/test', { target: HOSTS.ssh })
    ).json();
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.status, 'success');
    assert.equal(ok.address, HOSTS.ssh);
    const refused = (
      await page.call('POST', '/api/credentials/wrong/test', { target: HOSTS.ssh })
    ).json();
    assert.equal(refused.ok, false);
    assert.equal(refused.status, 'unauthorized');
    const logs = readdirSync(join(root, 'data', 'logs'))
      .map((f) => readFileSync(join(root, 'data', 'logs', f), 'utf8'))
      .join('\n');
    for (const secret of [password, WRONG]) {
      assert.ok(!transcript.join('\n').includes(secret), 'a password was sent to the page');
      assert.ok(!logs.includes(secret), 'a password is in a log');
    }
  },
);
