// The service plans and their executor, against a recording fake host: what each action does
// on each system, the refusals that come before any step, and how a failing step stops.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../errors.js';
import { checkServiceHost, runServiceSteps, servicePlan, type RunResult } from './manager.js';
import { fakeHost } from './testdata/fake-host.js';
import type { ServiceSpec } from './spec.js';

const spec: ServiceSpec = {
  nodePath: '/usr/bin/node',
  binPath: '/opt/nopesight/bin/nopesight-scanner.js',
  dataDir: '/var/lib/nopesight-scanner',
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof ScannerError ? err.code : 'not a ScannerError';
  }
  return undefined;
};

describe('service plans', () => {
  test('systemd install checks the user, gives it the data dir, writes the unit, enables it', async () => {
    const host = fakeHost();
    const plan = servicePlan('linux', { ...spec, user: 'nopesight' });
    await runServiceSteps(plan.steps.install, host, () => undefined);
    assert.deepEqual(host.calls, [
      'run id -u nopesight',
      'data-dir /var/lib/nopesight-scanner',
      'run chown -R nopesight /var/lib/nopesight-scanner',
      'write /etc/systemd/system/nopesight-scanner.service 644',
      'run systemctl daemon-reload',
      'run systemctl enable --now nopesight-scanner.service',
    ]);
  });

  test('systemd uninstall goes on when the unit was not running', async () => {
    const host = fakeHost({}, (argv) => (argv[1] === 'disable' ? { code: 1 } : {}));
    await runServiceSteps(servicePlan('linux', spec).steps.uninstall, host, () => undefined);
    assert.deepEqual(host.calls, [
      'run systemctl disable --now nopesight-scanner.service',
      'remove /etc/systemd/system/nopesight-scanner.service',
      'run systemctl daemon-reload',
    ]);
  });

  test('runServiceSteps stops at a failing command and names it', async () => {
    const host = fakeHost({}, (argv) =>
      argv[0] === 'id' ? { code: 1, stderr: "id: 'ghost': no such user\n" } : {},
    );
    const plan = servicePlan('linux', { ...spec, user: 'ghost' });
    await assert.rejects(
      runServiceSteps(plan.steps.install, host, () => undefined),
      {
        code: 'ERR_IO',
        message: "id -u ghost failed (exit 1): id: 'ghost': no such user",
      },
    );
    assert.deepEqual(host.calls, ['run id -u ghost']);
  });

  test('status results read as running or not on each system', () => {
    const ok = (stdout: string, code = 0): RunResult => ({ code, stdout, stderr: '' });
    assert.equal(servicePlan('linux', spec).running(ok('', 3)), false);
    assert.equal(servicePlan('linux', spec).running(ok('active (running)')), true);
    assert.equal(servicePlan('darwin', spec).running(ok('\tstate = running\n')), true);
    assert.equal(servicePlan('darwin', spec).running(ok('\tstate = not running\n')), false);
    assert.equal(servicePlan('win32', spec).running(ok('Started\n')), true);
    assert.equal(servicePlan('win32', spec).running(ok('Stopped\n')), false);
  });

  test('launchd install writes the LaunchDaemon and bootstraps it', async () => {
    const host = fakeHost({ platform: 'darwin' });
    await runServiceSteps(servicePlan('darwin', spec).steps.install, host, () => undefined);
    assert.deepEqual(host.calls.slice(1), [
      'write /Library/LaunchDaemons/com.nopesight.scanner.plist 644',
      'run launchctl bootstrap system /Library/LaunchDaemons/com.nopesight.scanner.plist',
    ]);
  });

  test('servicePlan refuses a platform with no supported service manager', () => {
    assert.equal(
      codeOf(() => servicePlan('freebsd', spec)),
      'ERR_NOT_SUPPORTED',
    );
  });
});

describe('checkServiceHost', () => {
  const linux = servicePlan('linux', spec);

  test('checkServiceHost refuses every action without systemd as PID 1', () => {
    for (const action of ['install', 'uninstall', 'start', 'stop', 'status'] as const) {
      assert.equal(
        codeOf(() => checkServiceHost(linux, action, { isRoot: true, systemdRunning: false })),
        'ERR_NOT_SUPPORTED',
        action,
      );
    }
  });

  test('checkServiceHost refuses changes without root but lets status through', () => {
    const host = { isRoot: false, systemdRunning: true };
    assert.equal(
      codeOf(() => checkServiceHost(linux, 'install', host)),
      'ERR_ACCESS_DENIED',
    );
    assert.equal(
      codeOf(() => checkServiceHost(linux, 'stop', host)),
      'ERR_ACCESS_DENIED',
    );
    assert.equal(
      codeOf(() => checkServiceHost(linux, 'status', host)),
      undefined,
    );
  });

  test('checkServiceHost wants --winsw for a Windows install', () => {
    const plan = servicePlan('win32', { ...spec, dataDir: 'C:\\ProgramData\\NopesightScanner' });
    const host = { isRoot: false, systemdRunning: false };
    assert.equal(
      codeOf(() => checkServiceHost(plan, 'install', host)),
      'ERR_CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => checkServiceHost(plan, 'install', host, { winsw: 'C:\\WinSW-x64.exe' })),
      undefined,
    );
  });
});
