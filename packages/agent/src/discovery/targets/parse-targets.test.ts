// Tests for parseTargets: every accepted form, hostile input, @files and the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { parseTargets } from './parse-targets.js';
import { TARGET_LIMITS, formatSpec, type TargetSpec } from './spec.js';

/** kind, family (0 for hostnames), canonical form, address count. */
type Shape = [TargetSpec['kind'], 0 | 4 | 6, string, bigint];
const shape = (s: TargetSpec): Shape =>
  s.kind === 'hostname'
    ? [s.kind, 0, formatSpec(s), 1n]
    : [s.kind, s.family, formatSpec(s), s.last - s.first + 1n];

const accepted: [string, Shape][] = [
  ['198.18.1.10', ['address', 4, '198.18.1.10', 1n]],
  ['0.0.0.0', ['address', 4, '0.0.0.0', 1n]],
  ['255.255.255.255', ['address', 4, '255.255.255.255', 1n]],
  ['2001:db8::1', ['address', 6, '2001:db8::1', 1n]],
  ['2001:0DB8:0:0:0:0:0:1', ['address', 6, '2001:db8::1', 1n]],
  ['::', ['address', 6, '::', 1n]],
  ['::ffff:198.18.1.1', ['address', 4, '198.18.1.1', 1n]],
  ['198.18.0.0/16', ['cidr', 4, '198.18.0.0/16', 65536n]],
  ['198.18.1.77/24', ['cidr', 4, '198.18.1.0/24', 256n]], // host bits set: the whole network
  ['198.18.1.7/32', ['cidr', 4, '198.18.1.7/32', 1n]],
  ['198.18.1.6/31', ['cidr', 4, '198.18.1.6/31', 2n]],
  ['0.0.0.0/0', ['cidr', 4, '0.0.0.0/0', 1n << 32n]],
  ['2001:db8::/64', ['cidr', 6, '2001:db8::/64', 1n << 64n]],
  ['2001:db8::1:2/112', ['cidr', 6, '2001:db8::1:0/112', 65536n]],
  ['::/0', ['cidr', 6, '::/0', 1n << 128n]],
  ['::ffff:198.18.1.0/120', ['cidr', 4, '198.18.1.0/24', 256n]],
  ['198.18.1.10-20', ['range', 4, '198.18.1.10-198.18.1.20', 11n]],
  ['198.18.1.10-10', ['range', 4, '198.18.1.10-198.18.1.10', 1n]],
  ['198.18.1.0-255', ['range', 4, '198.18.1.0-198.18.1.255', 256n]],
  ['198.18.1.10-198.18.2.5', ['range', 4, '198.18.1.10-198.18.2.5', 252n]],
  ['a::1-a::ff', ['range', 6, 'a::1-a::ff', 255n]],
  ['2001:db8::ffff-2001:db8::1:0', ['range', 6, '2001:db8::ffff-2001:db8::1:0', 2n]],
  ['localhost', ['hostname', 0, 'localhost', 1n]],
  ['DB1.Example.COM', ['hostname', 0, 'db1.example.com', 1n]],
  ['db1.example.com.', ['hostname', 0, 'db1.example.com', 1n]],
  ['10-0-0-5.default.pod.cluster.local', ['hostname', 0, '10-0-0-5.default.pod.cluster.local', 1n]],
  ['xn--bcher-kva.example', ['hostname', 0, 'xn--bcher-kva.example', 1n]],
  ['a.b2', ['hostname', 0, 'a.b2', 1n]],
  [`${'a'.repeat(63)}.example`, ['hostname', 0, `${'a'.repeat(63)}.example`, 1n]],
];
for (const [token, want] of accepted) {
  test(`parseTargets accepts ${token.length > 40 ? `${token.slice(0, 40)}…` : token}`, () => {
    const specs = parseTargets([token]);
    assert.equal(specs.length, 1);
    assert.deepEqual(shape(specs[0] as TargetSpec), want);
    assert.equal((specs[0] as TargetSpec).token, token);
  });
}

test('parseTargets accepts a 253-character hostname and keeps argument order', () => {
  const name = `${`${'a'.repeat(61)}.`.repeat(4)}b.com`; // 4 * 62 + 5 = 253 characters
  assert.equal(name.length, 253);
  const specs = parseTargets([name, '10.0.0.1']);
  assert.deepEqual(specs.map(formatSpec), [name, '10.0.0.1']);
});

const lists: [string, string[], string[]][] = [
  ['commas in one argument', ['10.0.0.1,10.0.0.2'], ['10.0.0.1', '10.0.0.2']],
  ['commas and spaces', ['10.0.0.1, 10.0.0.2 ,host'], ['10.0.0.1', '10.0.0.2', 'host']],
  ['surrounding whitespace', ['  10.0.0.1\t'], ['10.0.0.1']],
  ['repeated separators', ['10.0.0.1,,10.0.0.2'], ['10.0.0.1', '10.0.0.2']],
  ['several arguments', ['10.0.0.1', '2001:db8::/126'], ['10.0.0.1', '2001:db8::/126']],
  ['no arguments', [], []],
];
for (const [name, args, want] of lists) {
  test(`parseTargets splits ${name}`, () => {
    assert.deepEqual(parseTargets(args).map(formatSpec), want);
  });
}

// [input, text the message must contain besides the bad token]
const rejected: [string, string, string][] = [
  ['', 'argument 1 is empty', ''],
  ['   ', 'argument 1 is empty', ''],
  [',', 'holds no target', ''],
  ['1.2.3', '1.2.3', '4 octets, found 3'],
  ['1.2.3.4.5', '1.2.3.4.5', '4 octets, found 5'],
  ['10', '10', '4 octets, found 1'],
  ['198.18.1.300', '198.18.1.300', 'octet 300 is out of range'],
  ['010.1.1.1', '010.1.1.1', 'leading zero'],
  ['1.2.3.4.', '1.2.3.4.', '4 octets, found 5'],
  ['198.18.1.20-10', '198.18.1.20-10', 'range end 10 is below its start 20'],
  ['198.18.2.1-198.18.1.5', '198.18.2.1-198.18.1.5', 'below its start'],
  ['a::ff-a::1', 'a::ff-a::1', 'below its start'],
  ['198.18.1.10-256', '198.18.1.10-256', 'range end 256 is out of range'],
  ['198.18.1.1-99999999999999999999', '198.18.1.1-99999999999999999999', 'out of range'],
  ['198.18.1.1-010', '198.18.1.1-010', 'leading zero'],
  ['198.18.1.1-2-3', '198.18.1.1-2-3', 'exactly one "-"'],
  ['-', '-', 'needs a start address'],
  ['198.18.1.1-', '198.18.1.1-', 'needs an end'],
  ['-198.18.1.1', '-198.18.1.1', 'needs a start address'],
  ['1.2.3-1.2.3.4', '1.2.3-1.2.3.4', 'range start 1.2.3'],
  ['198.18.1.1-1.2.3', '198.18.1.1-1.2.3', 'range end 1.2.3'],
  ['a::1-ff', 'a::1-ff', 'full address on both sides'],
  ['10.0.0.1-a::1', '10.0.0.1-a::1', 'cannot mix IPv4 and IPv6'],
  ['198.18.0.0/33', '198.18.0.0/33', '/33 is out of range for IPv4 (0-32)'],
  ['2001:db8::/129', '2001:db8::/129', 'out of range for IPv6 (0-128)'],
  ['198.18.0.0/', '198.18.0.0/', 'needs a prefix length'],
  ['/24', '/24', 'needs an address'],
  ['198.18.0.0/024', '198.18.0.0/024', 'leading zero'],
  ['198.18.0.0/x', '198.18.0.0/x', 'is not a number'],
  ['198.18.0.0/99999999999999999999', '198.18.0.0/99999999999999999999', 'out of range'],
  ['198.18.0.0/24/8', '198.18.0.0/24/8', 'one "/"'],
  ['host.example/24', 'host.example/24', 'not a hostname'],
  ['198.18.1.1-5/24', '198.18.1.1-5/24', 'cannot also be a dash range'],
  ['fe80::1%eth0', 'fe80::1%eth0', 'zone ids'],
  ['1::2::3', '1::2::3', 'at most one "::"'],
  ['10.0.0.1:22', '10.0.0.1:22', 'host:port'],
  ['[::1]', '[::1]', 'only hex digits'],
  ['host_name.example', 'host_name.example', '"_" is not allowed'],
  ['-host.example', '-host.example', 'starts or ends with "-"'],
  ['host..example', 'host..example', 'empty label'],
  ['.', '.', '4 octets'],
  ['host.123', 'host.123', 'last label is numeric'],
  ['0x7f000001', '0x7f000001', 'last label is numeric'],
  ['bücher.example', '"bücher.example"', 'non-ASCII'],
  ['１０.0.0.1', '"１０.0.0.1"', 'non-ASCII'],
  ['10.0.0.1\u0000', '"10.0.0.1\\u0000"', 'control characters'],
  ['10.0.0.1\u200b', '"10.0.0.1\u200b"', 'non-ASCII'], // zero-width space: not whitespace
  [`${'a'.repeat(64)}.example`, 'a'.repeat(40), 'longer than 63'],
  [`${'a.'.repeat(127)}com`, '"a.a.a.', 'at most 253 characters'],
  ['9'.repeat(5000), '"9999', 'too long (5000 characters'],
  ['@', '"@"', 'file path must follow'],
];
for (const [input, names, why] of rejected) {
  test(`parseTargets rejects ${JSON.stringify(input).slice(0, 50)} naming it`, () => {
    assert.throws(
      () => parseTargets([input]),
      (err: unknown) => {
        const message = (err as Error).message;
        assert.ok(hasCode(err, 'ERR_TARGET_INVALID'), `code of ${message}`);
        assert.ok(message.includes(names), `${message} should name ${names}`);
        assert.ok(message.includes(why), `${message} should say ${why}`);
        return true;
      },
    );
  });
}

test('parseTargets reports every bad token at once, up to the cap', () => {
  assert.throws(
    () => parseTargets(['10.0.0.1', '1.2.3', 'ok.example', '1.2.3.999']),
    (err: unknown) =>
      hasCode(err, 'ERR_TARGET_INVALID') &&
      /^2 invalid targets:\n {2}1\.2\.3: .*\n {2}1\.2\.3\.999: octet 999/.test(
        (err as Error).message,
      ),
  );
  const many = Array.from({ length: 30 }, (_, i) => `1.2.${i}`);
  assert.throws(
    () => parseTargets(many),
    (err: unknown) =>
      (err as Error).message.startsWith('30 invalid targets:') &&
      (err as Error).message.endsWith(`…and ${30 - TARGET_LIMITS.maxReportedErrors} more`),
  );
});

test('parseTargets caps the number of tokens', () => {
  const big = Array.from({ length: TARGET_LIMITS.maxTokens + 1 }, () => '10.0.0.1').join(',');
  assert.throws(
    () => parseTargets([big]),
    (err: unknown) =>
      hasCode(err, 'ERR_TARGET_INVALID') && (err as Error).message.includes('more than 100,000'),
  );
  assert.equal(parseTargets([big.slice(0, -9)]).length, TARGET_LIMITS.maxTokens);
});

const files: Record<string, string> = {
  'lab.txt': [
    '# lab networks',
    '198.18.1.0/24, 198.18.2.1-9   # the edge',
    '',
    '   ',
    'db1.example.com\tdb2.example.com',
    '2001:db8::/126 # v6',
  ].join('\n'),
  'crlf.txt': '10.0.0.1\r\n10.0.0.2\r\n',
  'bad.txt': '10.0.0.1\n# fine\n10.0.0.2, 198.18.1.300\n',
  'nested.txt': '10.0.0.1\n@other.txt\n',
  'empty.txt': '',
  'with space.txt': '10.9.9.9',
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined)
    throw Object.assign(new Error(`ENOENT: open '${path}'`), { code: 'ENOENT' });
  return text;
};

test('parseTargets reads @files with comments, blank lines, commas and tabs', () => {
  const specs = parseTargets(['@lab.txt', '10.0.0.9'], { readFile });
  assert.deepEqual(specs.map(formatSpec), [
    '198.18.1.0/24',
    '198.18.2.1-198.18.2.9',
    'db1.example.com',
    'db2.example.com',
    '2001:db8::/126',
    '10.0.0.9',
  ]);
  assert.deepEqual(
    specs.map((s) => s.source),
    ['lab.txt:2', 'lab.txt:2', 'lab.txt:5', 'lab.txt:5', 'lab.txt:6', undefined],
  );
});

const fileCases: [string, string[], string[]][] = [
  ['CRLF line ends', ['@crlf.txt'], ['10.0.0.1', '10.0.0.2']],
  ['an empty file', ['@empty.txt'], []],
  ['a path with a space (whole argument)', ['@with space.txt'], ['10.9.9.9']],
  ['an @file inside a comma list', ['10.0.0.5,@crlf.txt'], ['10.0.0.5', '10.0.0.1', '10.0.0.2']],
];
for (const [name, args, want] of fileCases) {
  test(`parseTargets reads ${name}`, () => {
    assert.deepEqual(parseTargets(args, { readFile }).map(formatSpec), want);
  });
}

const fileErrors: [string, string[], string][] = [
  ['a bad line with file:line', ['@bad.txt'], 'bad.txt:3: 198.18.1.300: octet 300 is out of range'],
  [
    'a nested @file',
    ['@nested.txt'],
    'nested.txt:2: @other.txt: @file references cannot be nested',
  ],
  ['a missing file', ['@missing.txt'], 'cannot read target file missing.txt: no such file'],
];
for (const [name, args, want] of fileErrors) {
  test(`parseTargets reports ${name}`, () => {
    assert.throws(
      () => parseTargets(args, { readFile }),
      (err: unknown) => {
        assert.ok(hasCode(err, 'ERR_TARGET_INVALID'));
        assert.ok((err as Error).message.includes(want), (err as Error).message);
        return true;
      },
    );
  });
}

test('parseTargets rejects an oversized file from any reader, and @files when not allowed', () => {
  const huge = 'x'.repeat(TARGET_LIMITS.maxFileBytes + 1);
  assert.throws(
    () => parseTargets(['@huge.txt'], { readFile: () => huge }),
    (err: unknown) =>
      hasCode(err, 'ERR_TARGET_INVALID') && /huge\.txt is larger than/.test((err as Error).message),
  );
  assert.throws(
    () => parseTargets(['@lab.txt'], { readFile, allowFiles: false }),
    (err: unknown) => (err as Error).message.includes('@lab.txt: @file references are not allowed'),
  );
});

test('parseTargets caps tokens across @files, naming where it stopped', () => {
  const line = Array.from({ length: 1000 }, () => '10.0.0.1').join(' ');
  const many = Array.from({ length: 101 }, () => line).join('\n');
  assert.throws(
    () => parseTargets(['@many.txt'], { readFile: () => many }),
    (err: unknown) =>
      hasCode(err, 'ERR_TARGET_INVALID') && (err as Error).message.includes('(at many.txt:101)'),
  );
});
