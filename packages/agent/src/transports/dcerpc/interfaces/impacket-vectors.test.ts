// The interfaces' request encoders against impacket's, and their decoders against Samba's answers
// as impacket read them (testdata/impacket-vectors.json; testdata/impacket-vectors.py made it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeEptMapResponse, encodeEptMapRequest } from './epm.js';
import * as lsa from './lsarpc.js';
import * as samr from './samr.js';
import * as srvsvc from './srvsvc.js';
import * as svcctl from './svcctl.js';
import * as winreg from './winreg.js';
import * as wkssvc from './wkssvc.js';

interface Vectors {
  requests: Record<string, { hex: string; mask: string }>;
  responses: Record<string, { hex: string; impacket: unknown[] }>;
}
const vectors = JSON.parse(
  readFileSync(new URL('../testdata/impacket-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const H = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from([...Array(16).keys()])]);
const DOMAIN_SID = 'S-1-5-21-2944953481-4184876485-1775938753';

const encoders: Record<string, () => Buffer> = {
  'srvsvc.NetrServerGetInfo101': () => srvsvc.encodeServerGetInfo(null, 101),
  'srvsvc.NetrShareEnum1': () => srvsvc.encodeShareEnum1(null, 0),
  'wkssvc.NetrWkstaGetInfo100': () => wkssvc.encodeWkstaGetInfo(null, 100),
  'wkssvc.NetrWkstaUserEnum1': () => wkssvc.encodeWkstaUserEnum1(null, 0),
  'lsarpc.LsarOpenPolicy2': () => lsa.encodeOpenPolicy2(0x801),
  'lsarpc.LsarQueryInformationPolicy5': () => lsa.encodeQueryInfoPolicy(H, 5),
  'lsarpc.LsarLookupSids': () => lsa.encodeLookupSids(H, ['S-1-5-21-1-2-3-500', 'S-1-5-32-544']),
  'lsarpc.LsarLookupNames': () => lsa.encodeLookupNames(H, ['labwin', 'Administrators']),
  'samr.SamrConnect': () => samr.encodeConnect(0x31),
  'samr.SamrEnumerateDomainsInSamServer': () => samr.encodeEnumDomains(H, 0),
  'samr.SamrLookupDomainInSamServer': () => samr.encodeLookupDomain(H, 'LABSMB'),
  'samr.SamrOpenDomain': () => samr.encodeOpenDomain(H, DOMAIN_SID, 0x305),
  'samr.SamrEnumerateUsersInDomain': () => samr.encodeEnumInDomain(H, 0, 0),
  'samr.SamrEnumerateAliasesInDomain': () => samr.encodeEnumInDomain(H, 0),
  'samr.SamrOpenUser': () => samr.encodeOpenByRid(H, 0x11, 1000),
  'samr.SamrQueryInformationUser1': () => samr.encodeQueryUserInfo(H, 1),
  'samr.SamrQueryInformationAlias1': () => samr.encodeQueryAliasInfo(H, 1),
  'winreg.OpenLocalMachine': () => winreg.encodeOpenLocalMachine(0x20019),
  'winreg.BaseRegOpenKey': () => winreg.encodeOpenKey(H, 'SOFTWARE\\Microsoft', 0x20019),
  'svcctl.ROpenSCManagerW': () => svcctl.encodeOpenSCManager(5),
  'svcctl.REnumServicesStatusW': () => svcctl.encodeEnumServicesStatus(H, 16384, 0),
  'svcctl.ROpenServiceW': () => svcctl.encodeOpenService(H, 'Spooler', 5),
  'svcctl.RQueryServiceConfigW': () => svcctl.encodeQueryConfig(H, 1024),
  'svcctl.RCreateServiceW': () =>
    svcctl.encodeCreateService(H, {
      name: 'nsexec',
      displayName: 'NopeSight exec',
      binaryPath: 'C:\\Windows\\System32\\cmd.exe /c ver',
      access: 0x10034,
    }),
  'svcctl.RStartServiceW': () => svcctl.encodeStartService(H),
  'svcctl.RDeleteService': () => Buffer.from(H),
  'epm.ept_map': () =>
    encodeEptMapRequest({ uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', major: 3, minor: 0 }),
};

/** 4-byte-aligned words holding a byte impacket randomises (referent ids). */
function referentWords(ref: { mask: string }): number[] {
  const out: number[] = [];
  for (let i = 0; i < ref.mask.length; i += 4)
    if (ref.mask.slice(i, i + 4).includes('1')) out.push(i);
  return out;
}

/** `ours` with the referent-id words taken from impacket's encoding. */
function masked(ours: Buffer, ref: { hex: string; mask: string }): string {
  const theirs = Buffer.from(ref.hex, 'hex');
  const copy = Buffer.from(ours);
  for (const i of referentWords(ref)) theirs.copy(copy, i, i, i + 4);
  return copy.toString('hex');
}

test('every impacket request vector has an encoder here', () => {
  assert.deepEqual(Object.keys(vectors.requests).sort(), Object.keys(encoders).sort());
});

for (const [name, encode] of Object.entries(encoders)) {
  test(`${name} request encodes as impacket encodes it`, () => {
    const ref = vectors.requests[name]!;
    const ours = encode();
    assert.equal(ours.length, ref.hex.length / 2);
    // Referent ids differ (impacket draws them at random); they must be non-zero where impacket's are.
    for (const i of referentWords(ref))
      assert.notEqual(ours.readUInt32LE(i), 0, `referent id at ${i}`);
    assert.equal(masked(ours, ref), ref.hex);
  });
}

const response = (name: string): { stub: Buffer; impacket: unknown[] } => {
  const r = vectors.responses[name]!;
  return { stub: Buffer.from(r.hex, 'hex'), impacket: r.impacket };
};

test('decodeShareEnum1 reads Samba shares as impacket does', () => {
  const { stub, impacket } = response('srvsvc.NetrShareEnum1');
  const res = srvsvc.decodeShareEnum1(stub);
  assert.equal(res.status, 0);
  assert.deepEqual(
    res.shares.map((s) => [s.name, s.type, s.remark]),
    impacket,
  );
});

test('decodeLookupSids reads names, types and domains as impacket does', () => {
  const { stub, impacket } = response('lsarpc.LsarLookupSids');
  assert.deepEqual(
    lsa.decodeLookupSids(stub).names.map((n) => [n.use, n.name, n.domain]),
    impacket,
  );
});

test('decodeQueryInfoPolicyDomain reads the account domain name and SID', () => {
  const { stub, impacket } = response('lsarpc.LsarQueryInformationPolicy5');
  const d = lsa.decodeQueryInfoPolicyDomain(stub);
  assert.deepEqual([d.name, d.sid], impacket);
});

test('decodeEnumeration reads SamrEnumerateUsersInDomain as impacket does', () => {
  const { stub, impacket } = response('samr.SamrEnumerateUsersInDomain');
  const res = samr.decodeEnumeration(stub, 'users');
  assert.deepEqual(
    res.entries.map((e) => [e.rid, e.name]),
    impacket,
  );
});

test('decodeQueryUserGeneral reads user info level 1 as impacket does', () => {
  const { stub, impacket } = response('samr.SamrQueryInformationUser1');
  const u = samr.decodeQueryUserGeneral(stub);
  assert.deepEqual(
    [u.userName, u.fullName, u.primaryGroupId, u.adminComment, u.userComment],
    impacket,
  );
});

test('decodeQueryAliasGeneral reads a local group with its description as impacket does', () => {
  const { stub, impacket } = response('samr.SamrQueryInformationAlias1');
  const a = samr.decodeQueryAliasGeneral(stub);
  assert.deepEqual([a.name, a.memberCount, a.adminComment], impacket);
  assert.equal(a.adminComment, 'Lab application operators');
});

test('parseEnumServicesBuffer reads the services Samba listed as impacket does', () => {
  const { stub, impacket } = response('svcctl.REnumServicesStatusW');
  const ans = svcctl.decodeEnumServicesStatus(stub);
  assert.equal(ans.status, 0);
  assert.deepEqual(
    svcctl
      .parseEnumServicesBuffer(ans.buffer, ans.count)
      .map((s) => [s.name, s.displayName, s.status.currentState]),
    impacket,
  );
});

test('decodeQueryConfig reads RQueryServiceConfigW as impacket does', () => {
  const { stub, impacket } = response('svcctl.RQueryServiceConfigW');
  const { config, status } = svcctl.decodeQueryConfig(stub);
  assert.equal(status, 0);
  assert.deepEqual(
    [config.serviceType, config.startType, config.binaryPath, config.startName, config.displayName],
    impacket,
  );
});

test('decodeQueryValue reads a REG_SZ as impacket does', () => {
  const { stub, impacket } = response('winreg.BaseRegQueryValue');
  const ans = winreg.decodeQueryValue(stub);
  assert.equal(ans.status, 0);
  assert.deepEqual([ans.type, winreg.decodeValueData(ans.type, ans.data)], impacket);
});

test('decoders refuse a truncated Samba answer with ERR_PROTOCOL instead of reading past it', () => {
  for (const name of Object.keys(vectors.responses)) {
    const { stub } = response(name);
    const cut = stub.subarray(0, Math.floor(stub.length / 2));
    const decode = {
      'srvsvc.NetrShareEnum1': () => srvsvc.decodeShareEnum1(cut),
      'lsarpc.LsarLookupSids': () => lsa.decodeLookupSids(cut),
      'lsarpc.LsarQueryInformationPolicy5': () => lsa.decodeQueryInfoPolicyDomain(cut),
      'samr.SamrEnumerateUsersInDomain': () => samr.decodeEnumeration(cut, 'x'),
      'samr.SamrQueryInformationUser1': () => samr.decodeQueryUserGeneral(cut),
      'samr.SamrQueryInformationAlias1': () => samr.decodeQueryAliasGeneral(cut),
      'svcctl.REnumServicesStatusW': () => svcctl.decodeEnumServicesStatus(cut),
      'svcctl.RQueryServiceConfigW': () => svcctl.decodeQueryConfig(cut),
      'winreg.BaseRegQueryValue': () => winreg.decodeQueryValue(cut),
    }[name];
    assert.ok(decode, name);
    assert.throws(decode, { code: 'ERR_PROTOCOL' }, name);
  }
});

test('decodeEptMapResponse refuses a tower count larger than the stub', () => {
  const w = Buffer.alloc(20 + 4 + 12);
  w.writeUInt32LE(4, 20);
  w.writeUInt32LE(4, 24);
  w.writeUInt32LE(0, 28);
  w.writeUInt32LE(0x7fffffff, 32);
  assert.throws(() => decodeEptMapResponse(w), { code: 'ERR_PROTOCOL' });
});
