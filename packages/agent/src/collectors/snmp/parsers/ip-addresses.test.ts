// Tests of the IP-MIB address parser: ipAddrTable masks and ipAddressTable prefixes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rawRecording, readSnmprec } from '../../../../../../test/support/snmprec.js';
import { IP_ADDR_ENTRY, maskToPrefix, parseIpAddresses, prefixToMask } from './ip-addresses.js';

const file = (name: string): URL => new URL(`./testdata/${name}`, import.meta.url);
const hexIp = (hex: string): string =>
  hex
    .match(/../g)!
    .map((h) => parseInt(h, 16))
    .join('.');

describe('parseIpAddresses', () => {
  for (const name of ['cisco-3750.snmprec', 'winxp.snmprec', 'linux-2.6-net-snmp.snmprec']) {
    test(`parseIpAddresses reads every ipAddrTable row of ${name} with its mask`, () => {
      const raw = rawRecording(file(name));
      const r = parseIpAddresses(readSnmprec(file(name)));
      assert.notEqual(r.state, 'unsupported');
      for (const oid of raw.under(`${IP_ADDR_ENTRY}.3`)) {
        const address = oid.slice(`${IP_ADDR_ENTRY}.3.`.length);
        const mask = raw.hex(oid) ? hexIp(raw.hex(oid)!) : raw.text(oid);
        const got = r.data.find((a) => a.address === address);
        assert.ok(got, address);
        assert.equal(got.netmask, mask);
        assert.equal(got.ifIndex, Number(raw.text(`${IP_ADDR_ENTRY}.2.${address}`)));
      }
    });
  }

  test('parseIpAddresses reads IPv6 from ipAddressTable with prefix lengths', () => {
    const r = parseIpAddresses(readSnmprec(file('lab-snmpd-debian12.snmprec')));
    const v6 = r.data.filter((a) => a.family === 'ipv6');
    assert.ok(v6.some((a) => a.address === '::1' && a.prefixLength === 128));
    assert.ok(r.data.some((a) => a.address === '198.18.0.20' && a.prefixLength === 22));
  });

  test('masks and prefixes convert both ways', () => {
    assert.equal(maskToPrefix('255.255.252.0'), 22);
    assert.equal(maskToPrefix('255.255.255.255'), 32);
    assert.equal(maskToPrefix('255.0.255.0'), null);
    assert.equal(prefixToMask(22), '255.255.252.0');
    assert.equal(prefixToMask(0), '0.0.0.0');
  });
});
