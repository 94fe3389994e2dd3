import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { invokeEnvelope, parseInvokeResponse } from './invoke.js';
import type { EnvelopeOptions } from './wsman-envelope.js';
import { WsmanFaultError } from './wsman-response.js';

const vector = (name: string) =>
  readFileSync(new URL(`./testdata/${name}.xml`, import.meta.url), 'utf8');
const header = (messageId: string): EnvelopeOptions => ({
  to: 'http://192.0.2.10:5985/wsman',
  resourceUri: 'ignored: Invoke sets its own',
  messageId,
  operationTimeoutSec: 20,
  maxEnvelopeSize: 153600,
  locale: 'en-US',
});
const REG = { namespace: 'root/default', className: 'StdRegProv' };

describe('invokeEnvelope is byte-identical to pywinrm 0.3 for the same Invoke', () => {
  it('StdRegProv.EnumKey (static: no selectors)', () => {
    assert.equal(
      invokeEnvelope(header('11111111-2222-3333-4444-555555555555'), REG, 'EnumKey', {
        hDefKey: 2147483650,
        sSubKeyName: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
      }),
      vector('invoke-enumkey'),
    );
  });

  it('StdRegProv.GetStringValue with text that needs escaping', () => {
    assert.equal(
      invokeEnvelope(header('66666666-7777-8888-9999-000000000000'), REG, 'GetStringValue', {
        hDefKey: 2147483650,
        sSubKeyName: 'SOFTWARE\\R&D <Tools>',
        sValueName: 'DisplayName',
      }),
      vector('invoke-getstringvalue'),
    );
  });

  it('Win32_Process.GetOwner on one instance (a Handle selector, no parameters)', () => {
    assert.equal(
      invokeEnvelope(
        header('00000000-0000-0000-0000-000000000001'),
        {
          namespace: 'root/cimv2',
          className: 'Win32_Process',
          selectors: [{ name: 'Handle', value: '4242' }],
        },
        'GetOwner',
        {},
      ),
      vector('invoke-getowner'),
    );
  });

  it('arrays as repeated elements, NULL as xsi:nil; names that are not XML names are refused', () => {
    const xml = invokeEnvelope(header('x'), REG, 'SetMultiStringValue', {
      sValue: ['a', 'b'],
      sValueName: null,
    });
    assert.match(
      xml,
      /<p:sValue>a<\/p:sValue><p:sValue>b<\/p:sValue><p:sValueName xsi:nil="true"><\/p:sValueName>/,
    );
    assert.throws(
      () => invokeEnvelope(header('x'), REG, 'Enum Key', {}),
      (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
    );
    assert.throws(
      () => invokeEnvelope(header('x'), { ...REG, className: 'a><b' }, 'EnumKey', {}),
      (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
    );
  });
});

const answer = (body: string) =>
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
  'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header>' +
  '<a:Action>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv/EnumValuesResponse</a:Action>' +
  `</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const SCHEMA = {
  ReturnValue: { cimType: 'uint32' as const },
  sNames: { cimType: 'string' as const, isArray: true },
  Types: { cimType: 'sint32' as const, isArray: true },
};

describe('parseInvokeResponse', () => {
  it('reads <p:M_OUTPUT>: typed by the schema, repeated elements as arrays (one element too)', () => {
    const out = parseInvokeResponse(
      answer(
        '<p:EnumValues_OUTPUT xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv">' +
          '<p:ReturnValue>0</p:ReturnValue><p:sNames>DisplayName</p:sNames><p:Types>1</p:Types>' +
          '</p:EnumValues_OUTPUT>',
      ),
      'EnumValues',
      SCHEMA,
    );
    assert.deepEqual(out, {
      className: '__PARAMETERS',
      properties: {
        ReturnValue: { cimType: 'uint32', isArray: false, value: 0 },
        sNames: { cimType: 'string', isArray: true, value: ['DisplayName'] },
        Types: { cimType: 'sint32', isArray: true, value: [1] },
      },
    });
  });

  it('a fault is thrown as the WinRM client maps it; a missing OUTPUT is ERR_PROTOCOL', () => {
    const fault = answer(
      '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:AccessDenied</s:Value>' +
        '</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">Access is denied.</s:Text></s:Reason></s:Fault>',
    );
    assert.throws(
      () => parseInvokeResponse(fault, 'EnumKey', SCHEMA),
      (e) => e instanceof WsmanFaultError && hasCode(e, 'ERR_ACCESS_DENIED'),
    );
    assert.throws(
      () => parseInvokeResponse(answer('<p:EnumKey_OUTPUT/>'), 'EnumValues', SCHEMA),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
    assert.throws(
      () => parseInvokeResponse('<!DOCTYPE x><x/>', 'EnumKey', SCHEMA),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
  });
});
