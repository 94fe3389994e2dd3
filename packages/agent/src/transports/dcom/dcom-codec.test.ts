import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NdrWriter } from '../dcerpc/ndr.js';
import { decodeObjrefCustom } from '../wmio/wmio-decoder.js';
import {
  decodeInterfaceAnswer,
  decodeNextAnswer,
  encodeExecQuery,
  encodeNext,
  encodeNtlmLogin,
} from '../wmi/wmi-calls.js';
import {
  decodeRemoteCreateInstanceRequest,
  decodeRemoteCreateInstanceResponse,
  encodeRemoteCreateInstanceRequest,
} from './activation.js';
import { encodeRemQueryInterface, encodeRemRelease, interfaceRef } from './dcom-client.js';
import { hresultError } from './hresult.js';
import { decodeObjRef, encodeObjRefCustom, encodeObjRefStandard, tcpPortFor } from './objref.js';
import { writeOrpcThis } from './orpc.js';

interface Vectors {
  inputs: Record<string, string> & {
    bindings: { towerId: number; networkAddress: string }[];
    security: { authnSvc: number; principalName: string }[];
  };
  vectors: Record<string, string>;
}
const testdata = (p: string) => new URL(p, import.meta.url);
const V = JSON.parse(readFileSync(testdata('./testdata/impacket-vectors.json'), 'utf8')) as Vectors;
const I = V.inputs;
const hex = (name: string) => Buffer.from(V.vectors[name]!, 'hex');
const fail = (hr: number) => hresultError(hr, 'test');

describe('DCOM requests are byte-identical to impacket 0.10 for the same inputs', () => {
  it('ORPCTHIS: COMVERSION 5.7, flags, causality id, NULL extensions', () => {
    const w = new NdrWriter();
    writeOrpcThis(w, { cid: I.cid!, flags: 1 });
    assert.equal(w.toBuffer().toString('hex'), V.vectors['orpcthisLocal']);
  });

  it('RemoteCreateInstance with the four properties impacket sends', () => {
    const stub = encodeRemoteCreateInstanceRequest(
      { cid: I.cid!, flags: 1 },
      {
        clsid: I.clsid!,
        iids: [I.iidLogin!],
        properties: ['instantiation', 'context', 'location', 'scmRequest'],
      },
    );
    assert.equal(stub.toString('hex'), V.vectors['remoteCreateInstanceImpacket']);
  });

  it('RemoteCreateInstance with all six properties (special, security included)', () => {
    const stub = encodeRemoteCreateInstanceRequest(
      { cid: I.cid!, flags: 1 },
      { clsid: I.clsid!, iids: [I.iidLogin!], serverName: I.serverName! },
    );
    assert.equal(stub.toString('hex'), V.vectors['remoteCreateInstanceFull']);
    const seen = decodeRemoteCreateInstanceRequest(stub);
    assert.equal(seen.clsid, I.clsid);
    assert.deepEqual(seen.iids, [I.iidLogin]);
    assert.equal(seen.properties.length, 6);
  });

  it('OBJREF_STANDARD and OBJREF_CUSTOM', () => {
    const std = {
      flags: 0,
      publicRefs: 5,
      oxid: BigInt(I.oxid!),
      oid: BigInt(I.oid!),
      ipid: I.ipidServices!,
    };
    const resolver = { stringBindings: I.bindings, securityBindings: I.security };
    assert.equal(
      encodeObjRefStandard(I.iidServices!, std, resolver).toString('hex'),
      V.vectors['objrefStandard'],
    );
    assert.deepEqual(decodeObjRef(hex('objrefStandard')), {
      kind: 'standard',
      iid: I.iidServices,
      std,
      resolverAddress: resolver,
    });
    const data = Buffer.from('0102030405060708', 'hex');
    const custom = encodeObjRefCustom(
      'dc12a681-737f-11cf-884d-00aa004b2e24',
      '4590f812-1d3a-11d0-891f-00aa004b2e24',
      data,
    );
    assert.equal(custom.toString('hex'), V.vectors['objrefCustom']);
    const back = decodeObjRef(custom);
    assert.equal(back.kind, 'custom');
    assert.deepEqual(back.kind === 'custom' ? back.data : null, data);
  });

  it('IRemUnknown RemRelease and RemQueryInterface', () => {
    const refs = [I.ipidServices!, I.ipidLogin!].map((ipid) => ({ ipid, publicRefs: 5 }));
    assert.equal(encodeRemRelease(I.cid!, refs).toString('hex'), V.vectors['remRelease']);
    assert.equal(
      encodeRemQueryInterface(I.cid!, I.ipidServices!, 5, [I.iidSmartEnum!]).toString('hex'),
      V.vectors['remQueryInterface'],
    );
  });

  it('NTLMLogin, ExecQuery (BSTRs without terminator) and Next', () => {
    assert.equal(
      encodeNtlmLogin({ cid: I.cid! }, '//./root/cimv2').toString('hex'),
      V.vectors['ntlmLogin'],
    );
    assert.equal(
      encodeExecQuery({ cid: I.cid! }, 'WQL', 'SELECT * FROM Win32_Service', 0x30).toString('hex'),
      V.vectors['execQuery'],
    );
    assert.equal(encodeNext({ cid: I.cid! }, 0xffffffff, 64).toString('hex'), V.vectors['next']);
  });
});

describe('DCOM answers built by impacket 0.10 decode', () => {
  it('RemoteCreateInstance: PropsOutInfo interface pointer and ScmReplyInfo bindings', () => {
    const res = decodeRemoteCreateInstanceResponse(hex('remoteCreateInstanceResponse'), fail);
    assert.equal(res.interfaces.length, 1);
    assert.equal(res.interfaces[0]!.iid, I.iidLogin);
    assert.equal(res.interfaces[0]!.hresult, 0);
    const ref = interfaceRef('IWbemLevel1Login', res.interfaces[0]!.objref!);
    assert.deepEqual(ref, {
      name: 'IWbemLevel1Login',
      iid: I.iidLogin,
      ipid: I.ipidLogin,
      oxid: BigInt(I.oxid!),
      oid: BigInt(I.oid!),
      publicRefs: 5,
    });
    assert.equal(res.scmReply.oxid, BigInt(I.oxid!));
    assert.equal(res.scmReply.ipidRemUnknown, I.ipidRemUnknown);
    assert.equal(res.scmReply.authnHint, 6);
    assert.deepEqual(res.scmReply.serverVersion, { major: 5, minor: 7 });
    assert.deepEqual(res.scmReply.bindings, {
      stringBindings: I.bindings,
      securityBindings: I.security,
    });
    assert.equal(tcpPortFor(res.scmReply.bindings, '198.18.0.50'), 49667);
  });

  it('NTLMLogin returns the IWbemServices OBJREF', () => {
    const ans = decodeInterfaceAnswer(hex('ntlmLoginResponse'));
    assert.equal(ans.hresult, 0);
    assert.equal(interfaceRef('IWbemServices', ans.objref!).ipid, I.ipidServices);
  });

  it('Next returns OBJREF_CUSTOM objects the MS-WMIO decoder reads', () => {
    const ans = decodeNextAnswer(hex('nextResponse'), 64);
    assert.equal(ans.hresult, 1);
    assert.equal(ans.returned, 2);
    const objs = ans.objects.map((o) => decodeObjrefCustom(o));
    const expected = ['win32-operatingsystem', 'win32-process'].map(
      (n) =>
        JSON.parse(readFileSync(testdata(`../wmio/testdata/${n}.json`), 'utf8')) as {
          className: string;
          properties: Record<string, { value: unknown }>;
        },
    );
    assert.deepEqual(
      objs.map((o) => o.className),
      expected.map((e) => e.className),
    );
    assert.deepEqual(Object.keys(objs[1]!.properties), Object.keys(expected[1]!.properties));
    assert.equal(
      objs[1]!.properties['CommandLine']?.value,
      expected[1]!.properties['CommandLine']?.value,
    );
  });

  it('a Next asking for fewer objects than it got is refused', () => {
    assert.throws(() => decodeNextAnswer(hex('nextResponse'), 1), { code: 'ERR_PROTOCOL' });
  });
});
