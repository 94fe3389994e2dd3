// Table tests for the user parsers over captures in testdata/users (see SOURCES.md there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseLastlog,
  parseUidRange,
  parseUsers,
  type UserAccount,
  type UsersInput,
} from './users.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/users/${name}`, import.meta.url), 'utf8');

interface Case {
  label: string;
  input: () => UsersInput;
  state: 'complete' | 'partial' | 'unsupported';
  names?: string[];
  expect?: Partial<UserAccount> & { name: string };
}

const debian = (): UsersInput => ({
  passwd: read('debian12-getent-passwd.txt'),
  loginDefs: read('debian12-login-defs.txt'),
  group: read('debian12-getent-group.txt'),
  lastlog: read('debian12-lastlog.txt'),
});
const rocky = (): UsersInput => ({
  passwd: read('rocky9-getent-passwd.txt'),
  loginDefs: read('rocky9-login-defs.txt'),
  group: read('rocky9-getent-group.txt'),
  lastlog: read('rocky9-lastlog.txt'),
});

const cases: Case[] = [
  {
    label: 'debian12 getent + login.defs + lastlog',
    input: debian,
    state: 'complete',
    names: ['cloudsdk'],
    expect: {
      name: 'cloudsdk',
      uid: 1000,
      gid: 1000,
      home: '/home/cloudsdk',
      shell: '/bin/bash',
      interactiveShell: true,
      groups: ['cloudsdk'],
      lastLoginAt: null,
    },
  },
  {
    label: 'debian12 full login.defs',
    input: () => ({ ...debian(), loginDefs: read('debian12-login-defs-full.txt') }),
    state: 'complete',
    names: ['cloudsdk'],
  },
  {
    label: 'rocky9 with groups and last login',
    input: rocky,
    state: 'complete',
    names: ['alice', 'bob', 'svc-backup', 'jdoe'],
    expect: {
      name: 'alice',
      fullName: 'Alice Admin',
      groups: ['alice', 'wheel', 'docker'],
      lastLoginAt: '2024-03-14T09:01:13.000Z',
      lastLoginTty: 'pts/1',
      lastLoginFrom: '10.20.0.2',
    },
  },
  {
    label: 'rocky9 console login',
    input: rocky,
    state: 'complete',
    expect: {
      name: 'bob',
      lastLoginTty: 'tty1',
      lastLoginFrom: null,
      lastLoginAt: '2024-03-04T07:00:02.000Z',
      shell: '/bin/zsh',
    },
  },
  {
    label: 'rocky9 service account',
    input: rocky,
    state: 'complete',
    expect: {
      name: 'svc-backup',
      interactiveShell: false,
      lastLoginAt: null,
      fullName: 'Backup service',
    },
  },
  {
    label: 'rocky9 directory user above UID_MAX',
    input: rocky,
    state: 'complete',
    expect: { name: 'jdoe', uid: 1350001105, groups: [] },
  },
  {
    label: 'alpine318 passwd without login.defs',
    input: () => ({ passwd: read('alpine318-passwd.txt') }),
    state: 'complete',
    names: ['scanner'],
    expect: { name: 'scanner', shell: '/bin/ash', fullName: 'Linux User', groups: [] },
  },
  {
    label: 'freebsd14 passwd with comments',
    input: () => ({ passwd: read('freebsd14-getent-passwd.txt') }),
    state: 'complete',
    names: ['bob'],
    expect: { name: 'bob', shell: '/bin/tcsh', fullName: 'Bob Builder' },
  },
  {
    label: 'aix72 error output',
    input: () => ({ passwd: read('aix72-getent-not-found.txt') }),
    state: 'unsupported',
    names: [],
  },
];

for (const c of cases) {
  test(`parseUsers reads ${c.label} as ${c.state}`, () => {
    const result = parseUsers(c.input());
    assert.equal(result.state, c.state, result.warnings.join('; '));
    if (c.names !== undefined)
      assert.deepEqual(
        result.data.map((u) => u.name),
        c.names,
      );
    if (c.expect !== undefined) {
      const found = result.data.find((u) => u.name === c.expect?.name);
      assert.ok(found, `${c.expect.name} missing`);
      for (const [k, v] of Object.entries(c.expect))
        assert.deepEqual(found[k as keyof UserAccount], v, k);
    }
  });
}

test('parseUidRange reads the real Debian login.defs and defaults when empty', () => {
  assert.deepEqual(parseUidRange(read('debian12-login-defs-full.txt')), { min: 1000, max: 60000 });
  assert.deepEqual(parseUidRange(''), { min: 1000, max: 60000 });
  assert.deepEqual(parseUidRange('UID_MIN 500\r\n#UID_MAX 1\r\n'), { min: 500, max: 60000 });
});

test('parseLastlog reads never-logged-in users from the real capture', () => {
  const last = parseLastlog(read('debian12-lastlog.txt'));
  assert.deepEqual(last.get('root'), { at: null, tty: null, from: null });
});

test('parseUsers marks malformed and truncated passwd lines partial', () => {
  const result = parseUsers({
    passwd: 'alice:x:1000:1000::/home/alice:/bin/bash\r\n\uFFFDbroken\r\nbob:x:10',
  });
  assert.equal(result.state, 'partial');
  assert.deepEqual(
    result.data.map((u) => u.name),
    ['alice'],
  );
});

test('parseUsers treats false and nologin shells as non-interactive', () => {
  const result = parseUsers({
    passwd:
      'a:x:1000:1000::/h:/bin/false\nb:x:1001:1001::/h:/usr/sbin/nologin\nc:x:1002:1002::/h:\n',
  });
  assert.deepEqual(
    result.data.map((u) => u.interactiveShell),
    [false, false, false],
  );
});
