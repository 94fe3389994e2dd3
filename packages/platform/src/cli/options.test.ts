import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDataDir } from './options.js';
import { isLoopbackHost } from './serve.js';

test('isLoopbackHost accepts only loopback addresses', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
  ];
  for (const [h, want] of cases) assert.equal(isLoopbackHost(h), want, h);
});

test('defaultDataDir: env, then root, then XDG', () => {
  assert.equal(defaultDataDir({ NOPESIGHT_PLATFORM_DATA_DIR: '/x' }, true), '/x');
  assert.equal(defaultDataDir({}, true), '/var/lib/nopesight-platform');
  assert.equal(defaultDataDir({}, false, '/home/ann'), '/home/ann/.local/share/nopesight-platform');
  assert.equal(
    defaultDataDir({ XDG_DATA_HOME: '/d' }, false, '/home/ann'),
    '/d/nopesight-platform',
  );
  assert.equal(
    defaultDataDir({ XDG_DATA_HOME: 'rel' }, false, '/home/ann'),
    '/home/ann/.local/share/nopesight-platform',
  );
});
