import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePorts } from './ports.js';
import { hasCode } from '../errors.js';

const profiles = {
  default: { tcp: [22, 135, 139, 443, 445, 5985, 5986], udp: [161] },
  web: { tcp: [80, 443], udp: [] },
};

const good: [string, number[], number[]][] = [
  ['22', [22], []],
  ['22,80,443', [22, 80, 443], []],
  ['443,22,22', [22, 443], []],
  ['8000-8003', [8000, 8001, 8002, 8003], []],
  ['T:22,U:161', [22], [161]],
  ['U:161,162,T:80', [80], [161, 162]],
  ['default', [22, 135, 139, 443, 445, 5985, 5986], [161]],
  ['web,U:161', [80, 443], [161]],
  ['1-1', [1], []],
];
for (const [spec, tcp, udp] of good) {
  test(`parsePorts accepts '${spec}'`, () => {
    assert.deepEqual(parsePorts(spec, profiles), { tcp, udp });
  });
}

const bad = ['', '0', '65536', '22,', 'abc', '10-5', '1-70000', 'X:22', '22;80', '-5', '22 80'];
for (const spec of bad) {
  test(`parsePorts rejects '${spec}' naming the token`, () => {
    assert.throws(
      () => parsePorts(spec, profiles),
      (err: unknown) =>
        hasCode(err, 'ERR_CONFIG_INVALID') && (err as Error).message.includes('--ports'),
    );
  });
}

test('parsePorts covers the whole range 1-65535 without error', () => {
  assert.equal(parsePorts('1-65535', profiles).tcp.length, 65535);
});
