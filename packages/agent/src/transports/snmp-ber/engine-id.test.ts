// Table test of parseEngineId over the RFC 3411 layouts, captured engine IDs and legacy ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEngineId, type EngineIdInfo } from './engine-id.js';

const text = (s: string): string => Buffer.from(s).toString('hex');

const cases: [string, string, Omit<EngineIdInfo, 'hex'>][] = [
  // Captured: net-snmp's default (format 128, random), snmpsim's (pysnmp, format 5).
  [
    'net-snmp default',
    '80001f8880e5cc701946040c6b00000000',
    { format: 'enterprise', enterpriseNumber: 8072 },
  ],
  [
    'pysnmp octets',
    '80004fb805766d4c4a87c0',
    { format: 'octets', enterpriseNumber: 20408, value: '766d4c4a87c0' },
  ],
  // net-snmp `engineID NopeSightUnit` in snmpd.conf (read back with snmpget).
  [
    'net-snmp text',
    `80001f8804${text('NopeSightUnit')}`,
    { format: 'text', enterpriseNumber: 8072, value: 'NopeSightUnit' },
  ],
  // RFC 3411 §5 layouts, Cisco (9) and Juniper (2636) as the enterprise.
  ['ipv4', '8000000901c0000201', { format: 'ipv4', enterpriseNumber: 9, value: '192.0.2.1' }],
  [
    'ipv6',
    '800000090220010db8000000000000000000000001',
    { format: 'ipv6', enterpriseNumber: 9, value: '2001:db8::1' },
  ],
  [
    'mac',
    '80000a4c03001122aabbcc',
    { format: 'mac', enterpriseNumber: 2636, value: '00:11:22:aa:bb:cc' },
  ],
  [
    'text with a control character',
    `80000a4c04${text('sw')}07${text('1')}`,
    { format: 'text', enterpriseNumber: 2636, value: 'sw\ufffd1' },
  ],
  ['reserved format 6', '800000090601', { format: 'reserved', enterpriseNumber: 9 }],
  ['ipv4 of the wrong size', '8000000901c00002', { format: 'ipv4', enterpriseNumber: 9 }],
  ['mac of the wrong size', '8000000903001122', { format: 'mac', enterpriseNumber: 9 }],
  ['empty text', '8000000904', { format: 'text', enterpriseNumber: 9 }],
  // Pre-RFC 3411 (first bit clear), 12 octets: enterprise, then 8 vendor octets (Cisco IOS style).
  ['legacy cisco', '00000009020000c0ffee0001', { format: 'legacy', enterpriseNumber: 9 }],
  ['first bit clear, not 12 octets', '000000090200', { format: 'nonstandard' }],
  ['too short', '80000009', { format: 'nonstandard' }],
  ['empty', '', { format: 'nonstandard' }],
  ['33 octets', `80000009${'05'.repeat(29)}`, { format: 'nonstandard' }],
];

for (const [name, hex, want] of cases) {
  test(`parseEngineId reads ${name}`, () => {
    assert.deepEqual(parseEngineId(Buffer.from(hex, 'hex')), { hex, ...want });
  });
}

test('parseEngineId clears the top bit of the enterprise number', () => {
  assert.equal(parseEngineId(Buffer.from('ffffffff05aa', 'hex')).enterpriseNumber, 0x7fffffff);
});
