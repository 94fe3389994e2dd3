// Table tests of the network parsers (ip -j, ifconfig, netstat -rn, resolv.conf) over testdata/network.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  parseIfconfig,
  parseIpAddrJson,
  parseIpRouteJson,
  parseJsonPrefix,
  parseNetstatRn,
  parseResolvConf,
  type NetInterface,
  type Route,
} from './network.js';

const data = (name: string): string =>
  readFileSync(new URL(`./testdata/network/${name}`, import.meta.url), 'utf8');

/** A compact view of an interface for table comparisons. */
function brief(
  i: NetInterface,
): [string, string | null, number | null, string, string[], string[]] {
  return [
    i.name,
    i.mac,
    i.mtu,
    i.state,
    i.ipv4.map((a) => `${a.address}/${a.prefixLength} ${a.netmask}`),
    i.ipv6.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`),
  ];
}

const route = (r: Route): string =>
  `${r.family} ${r.destination} via ${r.gateway ?? '-'} dev ${r.interface ?? '-'}${r.isDefault ? ' default' : ''}`;

/** The Debian 12 machine's interfaces: net-tools and BusyBox `ifconfig -a` read the same. */
const DEBIAN12_IFCONFIG: ReturnType<typeof brief>[] = [
  [
    'eth0',
    '02:fc:00:00:00:01',
    1400,
    'up',
    ['192.0.2.2/24 255.255.255.0'],
    ['fd00::2/64 global', 'fe80::fc:ff:fe00:1/64 link'],
  ],
  ['ifb0', '7e:63:ac:db:a6:0d', 1500, 'down', [], []],
  ['ifb1', 'b2:66:00:30:58:db', 1500, 'down', [], []],
  ['lo', null, 65536, 'up', ['127.0.0.1/8 255.0.0.0'], ['::1/128 host']],
];

/** Its IPv6 routes: net-tools `netstat -rn -A inet6` and BusyBox `route -n -A inet6` agree. */
const DEBIAN12_ROUTES6 = [
  'inet6 fd00::/64 via - dev eth0',
  'inet6 fe80::/64 via - dev eth0',
  'inet6 default via fd00::1 dev eth0 default',
  'inet6 ::1/128 via - dev lo',
  'inet6 fd00::2/128 via - dev eth0',
  'inet6 fe80::fc:ff:fe00:1/128 via - dev eth0',
  'inet6 ff00::/8 via - dev eth0',
];

describe('interfaces', () => {
  const cases: [
    string,
    (t: string) => ReturnType<typeof parseIfconfig>,
    string,
    ReturnType<typeof brief>[],
  ][] = [
    [
      'ip-j-addr-debian12.json',
      parseIpAddrJson,
      'complete',
      // `ip -j addr` lists them by ifindex.
      ['lo', 'ifb0', 'ifb1', 'eth0'].map(
        (n) => DEBIAN12_IFCONFIG.find((i) => i[0] === n) as ReturnType<typeof brief>,
      ),
    ],
    [
      'ip-j-addr-rocky93.json',
      parseIpAddrJson,
      'complete',
      [
        ['lo', null, 65536, 'up', ['127.0.0.1/8 255.0.0.0'], ['::1/128 host']],
        [
          'ens192',
          '00:50:56:9a:3b:4c',
          1500,
          'up',
          ['10.20.30.41/23 255.255.254.0', '10.20.30.42/23 255.255.254.0'],
          ['2001:db8:20:30::41/64 global', 'fe80::250:56ff:fe9a:3b4c/64 link'],
        ],
        ['docker0', '02:42:5e:7d:1a:2b', 1500, 'down', ['172.17.0.1/16 255.255.0.0'], []],
      ],
    ],
    ['ip-j-addr-alpine319-busybox-error.txt', parseIpAddrJson, 'unsupported', []],
    ['ip-j-addr-debian12-busybox135-usage.txt', parseIpAddrJson, 'unsupported', []],
    ['ifconfig-a-debian12-busybox135.txt', parseIfconfig, 'complete', DEBIAN12_IFCONFIG],
    ['ip-j-addr-centos7-unknown-option.txt', parseIpAddrJson, 'unsupported', []],
    ['ifconfig-a-debian12.txt', parseIfconfig, 'complete', DEBIAN12_IFCONFIG],
    [
      'ifconfig-a-alpine319-busybox.txt',
      parseIfconfig,
      'complete',
      [
        [
          'eth0',
          '02:42:ac:11:00:02',
          1500,
          'up',
          ['172.17.0.2/16 255.255.0.0'],
          ['fe80::42:acff:fe11:2/64 link'],
        ],
        ['eth1', '02:42:ac:12:00:05', 1500, 'down', [], []],
        ['lo', null, 65536, 'up', ['127.0.0.1/8 255.0.0.0'], ['::1/128 host']],
      ],
    ],
    [
      'ifconfig-a-freebsd14.txt',
      parseIfconfig,
      'complete',
      [
        [
          'em0',
          '08:00:27:3e:5f:a1',
          1500,
          'up',
          ['10.0.2.15/24 255.255.255.0'],
          ['fe80::a00:27ff:fe3e:5fa1/64 link', '2001:db8:2::15/64 global'],
        ],
        ['em1', '08:00:27:3e:5f:a2', 1500, 'down', [], []],
        ['lo0', null, 16384, 'up', ['127.0.0.1/8 255.0.0.0'], ['::1/128 host', 'fe80::1/64 link']],
      ],
    ],
    [
      'ifconfig-a-macos14.txt',
      parseIfconfig,
      'complete',
      [
        ['lo0', null, 16384, 'up', ['127.0.0.1/8 255.0.0.0'], ['::1/128 host', 'fe80::1/64 link']],
        ['gif0', null, 1280, 'down', [], []],
        [
          'en0',
          '3c:22:fb:12:34:56',
          1500,
          'up',
          ['192.168.1.23/24 255.255.255.0'],
          ['fe80::1c8a:2b3c:4d5e:6f70/64 link', '2001:db8:1::1c8a/64 global'],
        ],
        ['utun0', null, 1380, 'up', [], ['fe80::ce81:b1c:bd2c:69e/64 link']],
      ],
    ],
    ['ifconfig-a-aix72.txt', parseIfconfig, 'unsupported', []],
    ['ifconfig-a-solaris114.txt', parseIfconfig, 'unsupported', []],
  ];
  for (const [file, parse, state, expected] of cases) {
    test(`${parse.name} reads ${file}`, () => {
      const r = parse(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      assert.deepEqual(r.data.map(brief), expected);
    });
  }

  test('parseIpAddrJson and parseIfconfig agree on the Debian capture', () => {
    const byName = (l: NetInterface[]): ReturnType<typeof brief>[] =>
      l.map(brief).sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(
      byName(parseIpAddrJson(data('ip-j-addr-debian12.json')).data),
      byName(parseIfconfig(data('ifconfig-a-debian12.txt')).data),
    );
  });

  test('parseIpAddrJson keeps the interfaces completed before a cut, and skips nameless items', () => {
    const full = data('ip-j-addr-debian12.json');
    const cut = parseIpAddrJson(full.slice(0, Math.floor(full.length * 0.8)));
    assert.equal(cut.state, 'partial');
    assert.deepEqual(
      cut.data.map((i) => i.name),
      ['lo', 'ifb0', 'ifb1'],
    );
    assert.equal(parseIpAddrJson(full.slice(0, 40)).state, 'unsupported');
    const r = parseIpAddrJson(
      '[{"mtu":1},null,7,{"ifname":"x","addr_info":[{"family":"inet","local":"999.1.1.1","prefixlen":8}]}]',
    );
    assert.equal(r.state, 'partial');
    assert.deepEqual(
      r.data.map((i) => [i.name, i.ipv4.length]),
      [['x', 0]],
    );
  });

  test('parseIfconfig and parseNetstatRn tolerate CRLF line ends', () => {
    const crlf = (t: string): string => t.replace(/\n/g, '\r\n');
    for (const [file, parse] of [
      ['ifconfig-a-debian12.txt', parseIfconfig],
      ['ifconfig-a-freebsd14.txt', parseIfconfig],
      ['netstat-rn-macos14.txt', parseNetstatRn],
    ] as const) {
      assert.deepEqual(parse(crlf(data(file))), parse(data(file)), file);
    }
  });

  test('parseIfconfig stays bounded on a flood of interfaces and tolerates garbage', () => {
    const flood = 'eth0: flags=4163<UP,RUNNING>  mtu 1500\n'.repeat(60_000);
    const r = parseIfconfig(flood);
    assert.equal(r.state, 'partial');
    assert.ok(r.data.length <= 50_000);
    assert.equal(parseIfconfig('\ufffd\ufffd\x00garbage\n').state, 'unsupported');
    assert.equal(parseIfconfig('').state, 'unsupported');
  });
});

describe('routes', () => {
  const cases: [string, (t: string) => ReturnType<typeof parseNetstatRn>, string, string[]][] = [
    [
      'ip-j-route-debian12.json',
      parseIpRouteJson,
      'complete',
      ['inet default via 192.0.2.1 dev eth0 default', 'inet 192.0.2.0/24 via - dev eth0'],
    ],
    [
      'ip-j-route-rocky93.json',
      parseIpRouteJson,
      'complete',
      [
        'inet default via 10.20.30.1 dev ens192 default',
        'inet 10.20.30.0/23 via - dev ens192',
        'inet 172.17.0.0/16 via - dev docker0',
      ],
    ],
    [
      'netstat-rn-debian12.txt',
      parseNetstatRn,
      'complete',
      ['inet default via 192.0.2.1 dev eth0 default', 'inet 192.0.2.0/24 via - dev eth0'],
    ],
    ['netstat-rn6-debian12.txt', parseNetstatRn, 'complete', DEBIAN12_ROUTES6],
    [
      'netstat-rn-debian12-busybox135.txt',
      parseNetstatRn,
      'complete',
      ['inet default via 192.0.2.1 dev eth0 default', 'inet 192.0.2.0/24 via - dev eth0'],
    ],
    ['route-n-A-inet6-debian12-busybox135.txt', parseNetstatRn, 'complete', DEBIAN12_ROUTES6],
    [
      'netstat-rn-alpine319-busybox.txt',
      parseNetstatRn,
      'complete',
      ['inet default via 172.17.0.1 dev eth0 default', 'inet 172.17.0.0/16 via - dev eth0'],
    ],
    [
      'netstat-rn-freebsd14.txt',
      parseNetstatRn,
      'complete',
      [
        'inet default via 10.0.2.2 dev em0 default',
        'inet 10.0.2.0/24 via - dev em0',
        'inet 10.0.2.15 via - dev lo0',
        'inet 127.0.0.1 via - dev lo0',
        'inet6 default via fe80::1 dev em0 default',
        'inet6 ::/96 via ::1 dev lo0',
        'inet6 ::1 via - dev lo0',
        'inet6 fe80::/64 via - dev em0',
        'inet6 fe80::a00:27ff:fe3e:5fa1 via - dev lo0',
      ],
    ],
  ];
  for (const [file, parse, state, expected] of cases) {
    test(`${parse.name} reads ${file}`, () => {
      const r = parse(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      assert.deepEqual(r.data.map(route), expected);
    });
  }

  test('parseIpRouteJson takes the family for ip -6 route from the caller', () => {
    const r = parseIpRouteJson(data('ip-j-6-route-debian12.json'), 'inet6');
    assert.deepEqual(r.data.filter((x) => x.isDefault).map(route), [
      'inet6 default via fd00::1 dev eth0 default',
    ]);
    assert.equal(r.data[0]?.metric, 256);
  });

  test('parseNetstatRn expands macOS short networks and drops link and MAC gateways', () => {
    const r = parseNetstatRn(data('netstat-rn-macos14.txt'));
    assert.equal(r.state, 'complete', r.warnings.join('; '));
    assert.deepEqual(r.data.filter((x) => x.isDefault).map(route), [
      'inet default via 192.168.1.1 dev en0 default',
      'inet6 default via fe80::a691:b1ff:fe12:3456 dev en0 default',
    ]);
    assert.ok(r.data.some((x) => x.destination === '127.0.0.0/8'));
    assert.ok(r.data.some((x) => x.destination === '192.168.1.0/24' && x.gateway === null));
    assert.ok(r.data.some((x) => x.destination === '192.168.1.1' && x.gateway === null));
  });

  test('parseNetstatRn and parseIpRouteJson say unsupported for errors', () => {
    assert.equal(parseNetstatRn('sh: netstat: not found\n').state, 'unsupported');
    assert.equal(parseIpRouteJson('Option "-j" is unknown').state, 'unsupported');
  });
});

describe('parseResolvConf', () => {
  const cases: [string, string, { nameservers: string[]; searchDomains: string[] }][] = [
    ['resolv-conf-debian12.txt', 'complete', { nameservers: ['10.255.255.53'], searchDomains: [] }],
    [
      'resolv-conf-ubuntu2204-resolved.txt',
      'complete',
      { nameservers: ['127.0.0.53'], searchDomains: ['corp.example', 'lab.corp.example'] },
    ],
    [
      'resolv-conf-rocky93-dhclient-crlf-truncated.txt',
      'partial',
      {
        nameservers: ['10.20.0.10', '10.20.0.11', 'fe80::1'],
        searchDomains: ['corp.example', 'eu.corp.example'],
      },
    ],
  ];
  for (const [file, state, expected] of cases) {
    test(`parseResolvConf reads ${file}`, () => {
      const r = parseResolvConf(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      assert.deepEqual(r.data, expected);
    });
  }
  test('parseResolvConf lets the later of domain and search win and caps entries', () => {
    assert.deepEqual(
      parseResolvConf('search a.example b.example\ndomain c.example\n').data.searchDomains,
      ['c.example'],
    );
    const many = Array.from({ length: 100 }, (_, i) => `nameserver 10.0.0.${i}`).join('\n');
    const r = parseResolvConf(many);
    assert.equal(r.data.nameservers.length, 16);
    assert.equal(r.state, 'partial');
  });
  test('parseResolvConf says unsupported for foreign text', () => {
    assert.equal(
      parseResolvConf('cat: /etc/resolv.conf: No such file or directory').state,
      'unsupported',
    );
    assert.equal(parseResolvConf('').state, 'complete');
  });
});

describe('parseJsonPrefix', () => {
  const cases: [string, string, unknown, boolean | null][] = [
    ['whole JSON', '[1,{"a":"}"}]', [1, { a: '}' }], false],
    ['cut in the second element', '[{"a":1},{"b"', [{ a: 1 }], true],
    [
      'cut inside nested children',
      '{"blockdevices":[{"n":"sda","children":[{"n":"sda1"},{"n":"sd',
      { blockdevices: [{ n: 'sda', children: [{ n: 'sda1' }] }] },
      true,
    ],
    ['escaped quote and bracket in a string', '[{"a":"x\\"]"},{"b', [{ a: 'x"]' }], true],
    ['error text with brackets', 'Usage: ip [ OPTIONS ] { link | addr }', null, null],
    ['nothing complete', '[{"a":', null, null],
  ];
  for (const [name, input, value, truncated] of cases) {
    test(`parseJsonPrefix handles ${name}`, () => {
      const r = parseJsonPrefix(input);
      if (truncated === null) assert.equal(r, null);
      else assert.deepEqual(r, { value, truncated });
    });
  }
  test('parseJsonPrefix refuses pathological nesting', () => {
    assert.equal(parseJsonPrefix('['.repeat(10_000)), null);
  });
});
