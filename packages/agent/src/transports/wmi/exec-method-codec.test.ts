import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeEncodingUnit, decodeObjrefCustom } from '../wmio/wmio-decoder.js';
import { encodeClassUnit, encodeInParamsUnit } from '../wmio/wmio-encoder.js';
import { decodeClassUnitWithMethods } from '../wmio/wmio-methods.js';
import {
  decodeExecMethodRequest,
  decodeGetObjectRequest,
  decodeObjectAnswer,
  encodeExecMethod,
  encodeGetObject,
  encodeObjectAnswer,
  wbemObjref,
} from './exec-method.js';

/** testdata/make-method-vectors.py, run once with Debian's python3-impacket 0.10. */
interface MethodVectors {
  inputs: { cid: string };
  classes: Record<
    string,
    {
      unit: string;
      methods: Record<
        string,
        { in: [string, string, boolean][] | null; out: [string, string, boolean][] | null }
      >;
    }
  >;
  getObject: Record<string, string>;
  calls: {
    className: string;
    path: string;
    method: string;
    args: (number | string)[];
    inParams: string | null;
    execMethod: string;
  }[];
  answers: {
    execMethodEnumKey: { stub: string; outParams: string; values: Record<string, unknown> };
    getObjectStdRegProv: string;
  };
}
const V = JSON.parse(
  readFileSync(new URL('./testdata/method-vectors.json', import.meta.url), 'utf8'),
) as MethodVectors;
const buf = (h: string) => Buffer.from(h, 'hex');
const orpc = { cid: V.inputs.cid };

describe('method signatures: our MethodsPart reading agrees with impacket 0.10', () => {
  for (const [name, cls] of Object.entries(V.classes)) {
    it(`${name}: the same methods, parameters, types and order`, () => {
      const decoded = decodeClassUnitWithMethods(buf(cls.unit));
      assert.equal(decoded.className, name);
      const ours = Object.fromEntries(
        decoded.methods.map((m) => [
          m.name,
          {
            in: m.in?.part.properties.map((p) => [p.name, p.cimType, p.isArray]) ?? null,
            out: m.out?.part.properties.map((p) => [p.name, p.cimType, p.isArray]) ?? null,
          },
        ]),
      );
      assert.deepEqual(ours, cls.methods);
    });
  }

  it('our class encoder round-trips the same signatures', () => {
    const decoded = decodeClassUnitWithMethods(buf(V.classes['StdRegProv']!.unit));
    const def = {
      name: 'StdRegProv',
      properties: [],
      methods: decoded.methods.map((m) => ({
        name: m.name,
        in:
          m.in?.part.properties.map((p) => ({
            name: p.name,
            cimType: p.cimType,
            isArray: p.isArray,
          })) ?? null,
        out:
          m.out?.part.properties.map((p) => ({
            name: p.name,
            cimType: p.cimType,
            isArray: p.isArray,
          })) ?? null,
      })),
    };
    const again = decodeClassUnitWithMethods(encodeClassUnit(def));
    assert.deepEqual(
      again.methods.map((m) => [m.name, m.in?.part.properties.map((p) => p.name) ?? null]),
      decoded.methods.map((m) => [m.name, m.in?.part.properties.map((p) => p.name) ?? null]),
    );
    assert.equal(decodeEncodingUnit(encodeClassUnit(def)).className, 'StdRegProv');
  });
});

describe('GetObject and ExecMethod requests are byte-identical to impacket 0.10', () => {
  for (const [name, hex] of Object.entries(V.getObject)) {
    it(`GetObject("${name}") (impacket's stub is ours plus 12 bytes its one-level pointers add)`, () => {
      const ours = encodeGetObject(orpc, name).toString('hex');
      assert.equal(hex.slice(0, ours.length), ours);
      // Its ppObject "MInterfacePointer" ends with ulCntData 0; then its ppCallResult.
      assert.equal(hex.slice(ours.length), '080002000000000000000000');
      assert.equal(decodeGetObjectRequest(buf(hex)).objectPath, name);
    });
  }

  for (const call of V.calls) {
    it(`${call.path}.${call.method}(${call.args.map((a) => JSON.stringify(a)).join(', ')})`, () => {
      const cls = decodeClassUnitWithMethods(buf(V.classes[call.className]!.unit));
      const m = cls.methods.find((x) => x.name === call.method)!;
      let inParams: Buffer | null = null;
      if (m.in) {
        const names = m.in.part.properties.map((p) => p.name);
        const args = Object.fromEntries(names.map((n, i) => [n, call.args[i]!]));
        inParams = wbemObjref(encodeInParamsUnit(m.in, args));
        assert.equal(inParams.toString('hex'), call.inParams, 'in-parameters object');
        // And it reads back as the values given.
        const back = decodeObjrefCustom(inParams);
        assert.equal(back.className, '__PARAMETERS');
        assert.deepEqual(
          names.map((n) => back.properties[n]!.value),
          call.args,
        );
      } else {
        assert.equal(call.inParams, null);
      }
      const stub = encodeExecMethod(orpc, call.path, call.method, inParams);
      assert.equal(stub.toString('hex'), call.execMethod, 'ExecMethod stub');
      const req = decodeExecMethodRequest(stub);
      assert.equal(req.objectPath, call.path);
      assert.equal(req.method, call.method);
      assert.equal(req.wantsOutParams, true);
      assert.deepEqual(req.inParams, inParams);
    });
  }
});

describe('GetObject and ExecMethod answers built by impacket decode', () => {
  it('ExecMethod: ppOutParams carries the out-parameters, no call result, S_OK', () => {
    const a = V.answers.execMethodEnumKey;
    const ans = decodeObjectAnswer(buf(a.stub));
    assert.equal(ans.hresult, 0);
    assert.equal(ans.callResult, null);
    const out = decodeObjrefCustom(ans.object!);
    assert.equal(out.properties['ReturnValue']!.value, a.values['ReturnValue']);
    assert.deepEqual(out.properties['sNames']!.value, a.values['sNames']);
  });

  it('GetObject: ppObject carries the class with its methods', () => {
    const ans = decodeObjectAnswer(buf(V.answers.getObjectStdRegProv));
    assert.equal(ans.hresult, 0);
    const cls = decodeClassUnitWithMethods(ans.object!);
    assert.deepEqual(
      cls.methods.map((m) => m.name),
      Object.keys(V.classes['StdRegProv']!.methods),
    );
  });

  it('our answer encoder writes what the decoder (and impacket layout) reads', () => {
    const unit = buf(V.answers.execMethodEnumKey.outParams);
    const ans = decodeObjectAnswer(encodeObjectAnswer(wbemObjref(unit), 0x80041002));
    assert.equal(ans.hresult, 0x80041002);
    assert.equal(decodeObjrefCustom(ans.object!).className, '__PARAMETERS');
    assert.equal(decodeObjectAnswer(encodeObjectAnswer(null, 0)).object, null);
  });
});
