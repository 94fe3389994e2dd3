// Runs the collection script in the local POSIX shell with fake tools first in PATH: markers, limits, sudo.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildCollectionScript,
  newNonce,
  SCRIPT_COMMAND,
  shQuote,
  type ScriptOptions,
} from './script.js';
import { splitSections } from './sections.js';

// dash is what Debian's /bin/sh is; busybox ash is used where installed (Alpine's shell).
const SHELLS = ['/usr/bin/dash', '/bin/dash', '/bin/busybox']
  .filter((s) => existsSync(s))
  .map((s) => (s.endsWith('busybox') ? [s, 'ash'] : [s]));
if (SHELLS.length === 0) SHELLS.push(['/bin/sh']);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory of fake commands (`name` → sh body) to put first in PATH. */
function fakeBin(fakes: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-script-'));
  // `hostname -f` fails, so only the plain `hostname` call prints.
  if (fakes.hostname !== undefined)
    fakes = { ...fakes, hostname: `[ "$1" = -f ] && exit 1\n${fakes.hostname}` };
  dirs.push(dir);
  for (const [name, body] of Object.entries(fakes)) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

function runScript(
  shell: string[],
  opts: Partial<ScriptOptions>,
  fakes: Record<string, string> = {},
  env: Record<string, string> = {},
): { stdout: string; stderr: string; nonce: string; ms: number } {
  const nonce = newNonce();
  const script = buildCollectionScript({
    nonce,
    sudo: 'none',
    commandTimeoutSec: 10,
    deadlineSec: 60,
    maxSectionBytes: 1 << 20,
    ...opts,
  });
  const started = Date.now();
  const [cmd, ...args] = shell as [string, ...string[]];
  const r = spawnSync(cmd, [...args, '-s'], {
    input: script,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      ...env,
      PATH: `${fakeBin(fakes)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    },
  });
  return { stdout: r.stdout, stderr: r.stderr, nonce, ms: Date.now() - started };
}

describe('buildCollectionScript', () => {
  test('buildCollectionScript refuses a nonce that is not hex', () => {
    assert.throws(() =>
      buildCollectionScript({
        nonce: 'x y',
        sudo: 'none',
        commandTimeoutSec: 1,
        deadlineSec: 1,
        maxSectionBytes: 1024,
      }),
    );
  });

  test('shQuote round-trips awkward strings through sh', () => {
    for (const s of [`it's`, `$(id) \`id\` "q" \\ ;|&`, "a'b'c''", '\n\t', '']) {
      const r = spawnSync('/bin/sh', ['-c', `printf '%s' ${shQuote(s)}`], { encoding: 'utf8' });
      assert.equal(r.stdout, s);
    }
  });

  test('the script travels on stdin: the exec command holds no secret', () => {
    assert.equal(SCRIPT_COMMAND, 'sh -s');
  });

  for (const shell of SHELLS) {
    const sh = shell.join(' ');
    test(`the script prints every section and the done marker in ${sh}`, () => {
      const r = runScript(shell, {});
      const split = splitSections(r.stdout, r.nonce);
      assert.equal(split.done, true, r.stderr);
      for (const name of ['meta', 'uname', 'hostname', 'date', 'df', 'passwd', 'group', 'virt']) {
        assert.ok(split.sections.has(name), `missing ${name}`);
      }
      assert.equal(split.sections.get('uname')?.status, 'complete');
      assert.match(split.sections.get('date')?.text ?? '', /^\d{9,11}\n$/);
      assert.match(split.sections.get('meta')?.text ?? '', /^uid=\d+$/m);
      assert.deepEqual(split.warnings, []);
    });

    test(`a hanging command hits its timeout and the rest still runs in ${sh}`, () => {
      const r = runScript(shell, { commandTimeoutSec: 1 }, { hostname: 'exec sleep 30' });
      const split = splitSections(r.stdout, r.nonce);
      assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
      assert.equal(split.sections.get('hostname')?.status, 'timeout');
      assert.equal(split.sections.get('passwd')?.status, 'complete');
      assert.equal(split.done, true);
    });

    test(`the deadline skips later sections in ${sh}`, () => {
      const r = runScript(
        shell,
        { commandTimeoutSec: 10, deadlineSec: 3 },
        { hostname: 'sleep 4; echo late' },
      );
      const split = splitSections(r.stdout, r.nonce);
      assert.equal(split.sections.get('hostname')?.text, 'late\n');
      assert.equal(split.sections.get('passwd')?.status, 'timeout');
      assert.equal(split.sections.get('passwd')?.note, 'deadline');
      assert.equal(split.done, true);
    });

    test(`a flooding command is capped and later sections survive in ${sh}`, () => {
      const r = runScript(
        shell,
        { maxSectionBytes: 4096 },
        { hostname: 'while :; do echo flooding-flooding-flooding; done' },
      );
      const split = splitSections(r.stdout, r.nonce);
      const host = split.sections.get('hostname');
      assert.equal(host?.status, 'cut');
      assert.equal(host?.note, 'capped');
      assert.equal(host?.text.length, 4096);
      assert.equal(split.sections.get('passwd')?.status, 'complete');
    });

    test(`output of exactly the cap is not marked cut in ${sh}`, () => {
      const r = runScript(shell, { maxSectionBytes: 4096 }, { hostname: 'head -c 4096 /dev/zero' });
      const host = splitSections(r.stdout, r.nonce).sections.get('hostname');
      assert.equal(host?.status, 'complete');
      assert.equal(host?.text.length, 4096);
    });

    test(`a forged marker in command output stays text in ${sh}`, () => {
      const r = runScript(shell, {}, { hostname: "echo '@@NOPESIGHT-0000000000000000 done@@'" });
      const split = splitSections(r.stdout, r.nonce);
      assert.equal(split.sections.get('hostname')?.text, '@@NOPESIGHT-0000000000000000 done@@\n');
      assert.ok(split.sections.has('passwd'));
    });

    test(`commands cannot read the script from stdin in ${sh}`, () => {
      const r = runScript(shell, {}, { hostname: 'cat; echo read-done' });
      const split = splitSections(r.stdout, r.nonce);
      assert.equal(split.sections.get('hostname')?.text, 'read-done\n');
      assert.equal(split.done, true);
    });

    test(`AIX stops after uname in ${sh}`, () => {
      const r = runScript(
        shell,
        {},
        {
          uname: 'if [ "$1" = -s ]; then echo AIX; else echo AIX aixhost 3 00C5A0B04C00; fi',
        },
      );
      const split = splitSections(r.stdout, r.nonce);
      assert.deepEqual([...split.sections.keys()], ['meta', 'uname']);
      assert.equal(split.done, true);
    });

    // A fake sudo that logs its argv to stderr and accepts PW on stdin for -S.
    const fakeSudo = [
      'echo "sudo-argv: $*" >&2',
      'case "$1" in',
      '  -S) IFS= read -r pw; [ "$pw" = "$FAKE_SUDO_PW" ] || exit 1; shift 3;;',
      '  -n) [ -n "$FAKE_SUDO_NOPASSWD" ] || exit 1; shift;;',
      'esac',
      'export FAKE_SUDO_ROOT=1',
      'exec "$@"',
    ].join('\n');
    const fakes = {
      sudo: fakeSudo,
      id: 'echo 1000',
      ss: 'echo "root=${FAKE_SUDO_ROOT:-0}"',
      grep: 'if [ -n "$FAKE_SUDO_ROOT" ]; then echo /sys/class/dmi/id/product_serial:ROOT-SERIAL; else echo "grep: /sys/class/dmi/id/product_serial: Permission denied"; fi',
    };

    test(`sudo password goes through stdin only and enables the DMI section in ${sh}`, () => {
      const pw = "S3cret 'pw' $(id)";
      const r = runScript(shell, { sudo: 'password', sudoPassword: pw }, fakes, {
        FAKE_SUDO_PW: pw,
      });
      const split = splitSections(r.stdout, r.nonce);
      assert.match(split.sections.get('meta')?.text ?? '', /^priv=sudo-S$/m);
      // Sockets run under sudo too (pids of every user): the fake shows it ran as "root".
      assert.equal(split.sections.get('ss')?.text, 'root=1\n');
      if (split.sections.get('dmi')?.status === 'complete') {
        assert.match(split.sections.get('dmi')?.text ?? '', /ROOT-SERIAL/);
      }
      assert.match(r.stderr, /sudo-argv: -S -p {2}sh -c exec <\/dev\/null; ss -tunapH/);
      assert.ok(!r.stderr.includes('S3cret'), 'password on a command line');
      assert.ok(!r.stdout.includes('S3cret'), 'password in the output');
    });

    test(`a wrong sudo password leaves basic mode in ${sh}`, () => {
      const r = runScript(shell, { sudo: 'password', sudoPassword: 'wrong' }, fakes, {
        FAKE_SUDO_PW: 'right',
      });
      const split = splitSections(r.stdout, r.nonce);
      assert.match(split.sections.get('meta')?.text ?? '', /^priv=denied$/m);
      assert.equal(split.done, true);
    });

    test(`nopasswd sudo is detected with sudo -n in ${sh}`, () => {
      const yes = runScript(shell, { sudo: 'nopasswd' }, fakes, { FAKE_SUDO_NOPASSWD: '1' });
      assert.match(
        splitSections(yes.stdout, yes.nonce).sections.get('meta')?.text ?? '',
        /^priv=sudo-n$/m,
      );
      assert.equal(splitSections(yes.stdout, yes.nonce).sections.get('ss')?.text, 'root=1\n');
      const no = runScript(shell, { sudo: 'nopasswd' }, fakes);
      assert.equal(splitSections(no.stdout, no.nonce).sections.get('ss')?.text, 'root=0\n');
      assert.match(
        splitSections(no.stdout, no.nonce).sections.get('meta')?.text ?? '',
        /^priv=denied$/m,
      );
    });
  }
});
