import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { clientSessionSecurity } from '../ntlm/ntlm-session-security.js';
import { deriveSessionKeys } from '../ntlm/ntlm-v2.js';
import type { CimProperty } from '../wmio/cim-object.js';
import { decodeEncodingUnit } from '../wmio/wmio-decoder.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessage, encryptMessage } from './wsman-encryption.js';
import {
  enumerateEnvelope,
  pullEnvelope,
  releaseEnvelope,
  wmiResourceUri,
} from './wsman-envelope.js';
import { WsmanFaultError, parseEnumerationResponse, type CimSchema } from './wsman-response.js';

const file = (name: string, dir = 'testdata') =>
  readFileSync(new URL(`${dir}/${name}`, import.meta.url));
const vectors = JSON.parse(file('encryption.json').toString('utf8')) as {
  flags: number;
  exportedSessionKey: string;
  requests: Array<{ plaintext: string; contentType: string; body: string }>;
  responses: Array<{ plaintext: string; body: string }>;
};

const env = (messageId: string) => ({
  to: 'http://192.0.2.10:5985/wsman',
  resourceUri: wmiResourceUri('root\\cimv2'),
  messageId,
  operationTimeoutSec: 20,
  maxEnvelopeSize: 153600,
  locale: 'en-US',
});
const CTX = 'uuid:ABCDEF01-2345-6789-ABCD-EF0123456789';

describe('WS-Man envelopes', () => {
  it('Enumerate equals pywinrm’s header with the WS-Enumeration body, escaping the WQL', () => {
    const ours = enumerateEnvelope(
      env('11111111-2222-3333-4444-555555555555'),
      "SELECT * FROM Win32_Service WHERE Name <> 'a&b'",
      32,
    );
    assert.equal(ours, file('enumerate.xml').toString('utf8'));
  });
  it('Pull and Release equal pywinrm’s', () => {
    assert.equal(
      pullEnvelope(env('66666666-7777-8888-9999-000000000000'), CTX, 32),
      file('pull.xml').toString('utf8'),
    );
    assert.equal(
      releaseEnvelope(env('00000000-0000-0000-0000-000000000001'), CTX),
      file('release.xml').toString('utf8'),
    );
  });
});

function pair() {
  const keys = deriveSessionKeys(Buffer.from(vectors.exportedSessionKey, 'hex'), vectors.flags);
  return clientSessionSecurity(keys, vectors.flags);
}

describe('WinRM NTLM message encryption', () => {
  it('frames and seals requests byte for byte as pywinrm with ntlm-auth (sequence 0 and 1)', () => {
    const sec = pair();
    for (const r of vectors.requests) {
      assert.equal(r.contentType, ENCRYPTED_CONTENT_TYPE);
      assert.equal(
        encryptMessage(sec, Buffer.from(r.plaintext, 'utf8')).toString('base64'),
        r.body,
      );
    }
  });

  it('opens answers sealed by ntlm-auth’s server side, in order', () => {
    const sec = pair();
    for (const r of vectors.responses) {
      assert.equal(
        decryptMessage(sec, Buffer.from(r.body, 'base64')).toString('utf8'),
        r.plaintext,
      );
    }
  });

  it('refuses a tampered answer, a wrong length and a replayed one', () => {
    const body = Buffer.from(vectors.responses[0]!.body, 'base64');
    const flipped = Buffer.from(body);
    flipped[flipped.length - 30]! ^= 1;
    assert.throws(
      () => decryptMessage(pair(), flipped),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    const lying = Buffer.from(body.toString('latin1').replace(/Length=\d+/, 'Length=3'), 'latin1');
    assert.throws(
      () => decryptMessage(pair(), lying),
      (e) => hasCode(e, 'ERR_PROTOCOL') && /stated 3/.test(String(e)),
    );
    const sec = pair();
    decryptMessage(sec, body);
    assert.throws(
      () => decryptMessage(sec, body),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(
      () => decryptMessage(pair(), Buffer.from('garbage')),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
  });
});

const P = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process';
function answer(items: string, end = true): string {
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" ' +
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common"><s:Body><n:EnumerateResponse>' +
    (end ? '' : '<n:EnumerationContext>uuid:1</n:EnumerationContext>') +
    `<w:Items>${items}</w:Items>${end ? '<w:EndOfSequence/>' : ''}</n:EnumerateResponse></s:Body></s:Envelope>`
  );
}

const PROCESS_SCHEMA: CimSchema = {
  Win32_Process: {
    ProcessId: { cimType: 'uint32' },
    ParentProcessId: { cimType: 'uint32' },
    WorkingSetSize: { cimType: 'uint64' },
    CreationDate: { cimType: 'datetime' },
  },
};

describe('parseEnumerationResponse', () => {
  it('reads the same Win32_Process as the WMIO decoder does from its encoding', () => {
    const wmio = decodeEncodingUnit(
      Buffer.from(file('win32-process.hex', '../wmio/testdata').toString('utf8').trim(), 'hex'),
    );
    const xml =
      `<p:Win32_Process xmlns:p="${P}" xsi:type="p:Win32_Process_Type">` +
      '<p:Name>svchost.exe</p:Name><p:ProcessId>1234</p:ProcessId><p:ParentProcessId>4</p:ParentProcessId>' +
      '<p:CommandLine>C:\\Windows\\system32\\svchost.exe -k netsvcs</p:CommandLine>' +
      '<p:ExecutablePath>C:\\Windows\\System32\\svchost.exe</p:ExecutablePath>' +
      '<p:CreationDate><cim:Datetime>2024-03-01T07:15:30.123456Z</cim:Datetime></p:CreationDate>' +
      '<p:WorkingSetSize>18446744073709551615</p:WorkingSetSize><p:Handle>1234</p:Handle></p:Win32_Process>';
    const [viaWsman] = parseEnumerationResponse(answer(xml), PROCESS_SCHEMA).items;
    assert.equal(viaWsman?.className, wmio.className);
    for (const [name, p] of Object.entries(wmio.properties)) {
      const w: CimProperty | undefined = viaWsman?.properties[name];
      assert.deepEqual(w, p, name);
    }
  });

  it('reads xsi:nil as null, repeated elements as arrays, and untyped values as strings', () => {
    const xml =
      `<p:Win32_Process xmlns:p="${P}"><p:Name>a</p:Name><p:CommandLine xsi:nil="true"/>` +
      '<p:Tags>x</p:Tags><p:Tags>y</p:Tags><p:ProcessId>7</p:ProcessId><p:Priority>8</p:Priority></p:Win32_Process>';
    const page = parseEnumerationResponse(answer(xml, false), PROCESS_SCHEMA);
    assert.equal(page.context, 'uuid:1');
    const props = page.items[0]!.properties;
    assert.deepEqual(props['CommandLine'], { cimType: 'string', isArray: false, value: null });
    assert.deepEqual(props['Tags'], { cimType: 'string', isArray: true, value: ['x', 'y'] });
    assert.deepEqual(props['ProcessId'], { cimType: 'uint32', isArray: false, value: 7 });
    assert.deepEqual(props['Priority'], { cimType: 'string', isArray: false, value: '8' });
  });

  it('maps faults: AccessDenied, InvalidSelectors, TimedOut', () => {
    const fault = (sub: string, code = '5') =>
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>' +
      `<s:Subcode><s:Value>w:${sub}</s:Value></s:Subcode></s:Code><s:Reason><s:Text>why</s:Text></s:Reason>` +
      `<s:Detail><f:WSManFault xmlns:f="x" Code="${code}"><f:Message>more</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`;
    const check = (sub: string, code: string, wsmanCode?: string) =>
      assert.throws(
        () => parseEnumerationResponse(fault(sub, wsmanCode)),
        (e) => e instanceof WsmanFaultError && e.code === code && e.subcode === sub,
      );
    check('AccessDenied', 'ERR_ACCESS_DENIED');
    check('InvalidSelectors', 'ERR_PROTOCOL');
    check('TimedOut', 'ERR_TIMEOUT', '2150858793');
  });

  it('refuses garbage, a DOCTYPE and a page with neither context nor end', () => {
    assert.throws(
      () => parseEnumerationResponse('<<<'),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(
      () => parseEnumerationResponse('<!DOCTYPE x [<!ENTITY a "b">]><x/>'),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(
      () => parseEnumerationResponse(answer('', true).replace('<w:EndOfSequence/>', '')),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
  });
});
