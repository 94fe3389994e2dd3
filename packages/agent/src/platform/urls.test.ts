// Tests the API URL normalisation and the proxy rules (docs/protocol.md "Connection settings").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultWsUrl, normaliseApiUrl, normaliseWsUrl } from './urls.js';
import { noProxyCovers, proxyFor } from './proxy.js';
import { isCode } from '../../../../test/support/errors.js';

test('normaliseApiUrl accepts host or host/api, with or without a trailing slash', () => {
  for (const given of [
    'https://cmdb.example.com',
    'https://cmdb.example.com/',
    'https://cmdb.example.com/api',
    'https://cmdb.example.com/api/',
    ' https://CMDB.example.com/api ',
  ]) {
    assert.equal(normaliseApiUrl(given), 'https://cmdb.example.com/api', given);
  }
  assert.equal(normaliseApiUrl('https://10.0.0.5:8443'), 'https://10.0.0.5:8443/api');
  assert.equal(normaliseApiUrl('http://127.0.0.1:3000/api'), 'http://127.0.0.1:3000/api');
  assert.equal(normaliseApiUrl('http://[::1]:3000'), 'http://[::1]:3000/api');
  assert.equal(normaliseApiUrl('http://localhost:3000'), 'http://localhost:3000/api');
});

test('normaliseApiUrl refuses other paths, plain http off loopback, and user info', () => {
  for (const [given, why] of [
    ['http://cmdb.example.com', /only for loopback/],
    ['https://cmdb.example.com/v2', /neither empty nor \/api/],
    ['https://u:p@cmdb.example.com', /user name or password/],
    ['https://cmdb.example.com/api?x=1', /query/],
    ['ftp://cmdb.example.com', /must start with https/],
    ['cmdb.example.com', /not a URL/],
  ] as const) {
    assert.throws(() => normaliseApiUrl(given), isCode('ERR_CONFIG_INVALID', why), given);
  }
});

test('the control channel URL is derived from the API base', () => {
  assert.equal(
    defaultWsUrl('https://cmdb.example.com/api'),
    'wss://cmdb.example.com/api/discovery/agents/ws',
  );
  assert.equal(
    defaultWsUrl('http://127.0.0.1:3000/api'),
    'ws://127.0.0.1:3000/api/discovery/agents/ws',
  );
  assert.equal(normaliseWsUrl('wss://ws.example.com/x'), 'wss://ws.example.com/x');
  assert.throws(() => normaliseWsUrl('ws://ws.example.com/x'), isCode('ERR_CONFIG_INVALID'));
});

test('NO_PROXY matches names with their subdomains, ports, addresses and CIDRs', () => {
  const cases: [string, number, string, boolean][] = [
    ['cmdb.example.com', 443, 'example.com', true],
    ['cmdb.example.com', 443, '.example.com', true],
    ['cmdb.example.com', 443, '*.example.com', true],
    ['badexample.com', 443, 'example.com', false],
    ['cmdb.example.com', 443, 'cmdb.example.com:8443', false],
    ['cmdb.example.com', 8443, 'cmdb.example.com:8443', true],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['10.1.2.3', 443, '10.1.2.3', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['2001:db8::5', 443, '2001:db8::/32', true],
    ['[2001:db8::5]', 443, '[2001:db8::5]:443', true],
    ['anything', 443, 'a.com, *', true],
    ['anything', 443, '10.0.0.0/99,,', false],
    ['anything', 443, '', false],
  ];
  for (const [host, port, list, want] of cases) {
    assert.equal(noProxyCovers(host, port, list), want, `${host}:${port} in '${list}'`);
  }
});

test('proxyFor reads https_proxy over HTTPS_PROXY, only for https, and honours NO_PROXY', () => {
  const target = new URL('https://cmdb.example.com/api');
  assert.equal(proxyFor(target, {}), null);
  assert.equal(proxyFor(target, { HTTPS_PROXY: 'http://proxy:3128' })?.href, 'http://proxy:3128/');
  assert.equal(
    proxyFor(target, { HTTPS_PROXY: 'http://a:1', https_proxy: 'b:2' })?.host,
    'b:2',
    'lowercase wins; a bare host:port is http',
  );
  assert.equal(proxyFor(target, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }), null);
  assert.equal(proxyFor(new URL('http://127.0.0.1:3000/api'), { HTTPS_PROXY: 'http://p:1' }), null);
  assert.throws(
    () => proxyFor(target, { HTTPS_PROXY: 'socks5://p:1' }),
    isCode('ERR_CONFIG_INVALID', /http:\/\/ or https:\/\//),
  );
});
