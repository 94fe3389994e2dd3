#!/usr/bin/python3
"""Writes method-vectors.json: IWbemServices::GetObject and ::ExecMethod as impacket 0.10 (Debian
python3-impacket) builds them, for StdRegProv's registry reads and Win32_Process.GetOwner. Run
once at test-writing time from this folder with /usr/bin/python3; the tests only read the JSON.

- The classes (StdRegProv with EnumKey, EnumValues and the Get*Value methods; Win32_Process with
  GetOwner) are encoded by the small MS-WMIO encoder of ../../wmio/testdata/make-vectors.py
  (independent of the TypeScript one) plus a MethodsPart writer below, and read back by impacket.
- impacket's own code then builds each call: the in-parameters object is what its
  IWbemClassObject method proxies (wmiexec's Win32_Process.Create path) build from the class's
  in-signature, and the NDR stubs are IWbemServices.GetObject/ExecMethod's requests.
- Answers are built with impacket's response classes (the out-parameters encoded like the classes).
The same two normalisations as ../../dcom/testdata/make-vectors.py, from its impacket_ndr.py: NDR
padding zero, referent ids renumbered 0x00020000 + 4i in order of appearance."""
import json, os, struct, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../dcom/testdata'))
from impacket_ndr import renumber  # noqa: E402  (first: it replaces impacket's ndr module)
from impacket.dcerpc.v5 import dcomrt as D  # noqa: E402
from impacket.dcerpc.v5.dcom import wmi as W  # noqa: E402
from impacket.dcerpc.v5.dtypes import NULL  # noqa: E402
from impacket.uuid import string_to_bin  # noqa: E402

# The MS-WMIO encoder of the WMIO vectors (everything before its main()).
enc_src = open('../../wmio/testdata/make-vectors.py').read()
enc = {}
exec(enc_src[:enc_src.index('def main():')].replace('from impacket.dcerpc.v5.dcom.wmi import ENCODING_UNIT, OBJECT_BLOCK', ''), enc)

CID = '3a4b5c6d-7e8f-4091-a2b3-c4d5e6f70812'
HKLM = 0x80000002

def param(name, t, arr=False, default=None, ident=0, direction='in'):
    return (name, t, arr, default, False, [(direction, 'boolean', True), ('ID', 'sint32', ident)])

def signature_block(params):
    empty = enc['class_part'](dict(name='', parents=[], props=[]))[0]
    cls = enc['class_part'](dict(name='__PARAMETERS', parents=[], props=params))[0]
    block = b'\x01' + empty + enc['EMPTY_METHODS'] + cls + enc['EMPTY_METHODS']
    return struct.pack('<I', len(block)) + block

def methods_part(methods):
    heap = enc['Heap'](); descs = b''
    for name, inp, outp in methods:
        name_ref = heap.add(enc['estr'](name))
        # No parameters: a MethodSignatureBlock of length 0 (impacket reads that as "none"; it
        # cannot handle a 0xFFFFFFFF reference there).
        in_ref = heap.add(b'\0\0\0\0') if inp is None else heap.add(signature_block(inp))
        out_ref = heap.add(b'\0\0\0\0') if outp is None else heap.add(signature_block(outp))
        descs += struct.pack('<IB3sIIII', name_ref, 0, b'\0\0\0', 0, 0xffffffff, in_ref, out_ref)
    body = struct.pack('<HH', len(methods), 0) + descs + heap.encode()
    return struct.pack('<I', len(body) + 4) + body

def class_unit(cls, methods, deco):
    empty = enc['class_part'](dict(name='', parents=[], props=[]))[0]
    block = b'\x05' + enc['decoration'](*deco) + empty + enc['EMPTY_METHODS'] + enc['class_part'](cls)[0] + methods_part(methods)
    return enc['encoding_unit'](block)

REG_IN = [param('hDefKey', 'uint32', default=HKLM, ident=0), param('sSubKeyName', 'string', ident=1)]
VALUE_IN = REG_IN + [param('sValueName', 'string', ident=2)]
def ret(): return param('ReturnValue', 'uint32', direction='out', ident=0)
STDREGPROV_METHODS = [
    ('EnumKey', REG_IN, [ret(), param('sNames', 'string', True, direction='out', ident=2)]),
    ('EnumValues', REG_IN, [ret(), param('sNames', 'string', True, direction='out', ident=2), param('Types', 'sint32', True, direction='out', ident=3)]),
    ('GetStringValue', VALUE_IN, [ret(), param('sValue', 'string', direction='out', ident=3)]),
    ('GetExpandedStringValue', VALUE_IN, [ret(), param('sValue', 'string', direction='out', ident=3)]),
    ('GetDWORDValue', VALUE_IN, [ret(), param('uValue', 'uint32', direction='out', ident=3)]),
    ('GetQWORDValue', VALUE_IN, [ret(), param('uValue', 'uint64', direction='out', ident=3)]),
    ('GetMultiStringValue', VALUE_IN, [ret(), param('sValue', 'string', True, direction='out', ident=3)]),
    ('GetBinaryValue', VALUE_IN, [ret(), param('uValue', 'uint8', True, direction='out', ident=3)]),
]
STDREGPROV = dict(name='StdRegProv', parents=[], props=[])
PROCESS = dict(name='Win32_Process', parents=['CIM_Process', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Handle', 'string', False, None, True, [('key', 'boolean', True)]),
    ('Name', 'string', False, None, True, []),
    ('ProcessId', 'uint32', False, None, False, []),
])
PROCESS_METHODS = [('GetOwner', None, [ret(), param('Domain', 'string', direction='out', ident=1), param('User', 'string', direction='out', ident=0)])]

def orpcthis():
    o = D.ORPCTHIS(); o['cid'] = string_to_bin(CID); o['extensions'] = NULL; o['flags'] = 0
    return o

class Captured(Exception):
    pass

def capture_request(call):
    """Runs an impacket IWbemServices method against a fake request(): the request's NDR bytes."""
    svc = W.IWbemServices.__new__(W.IWbemServices)
    svc._iid = W.IID_IWbemServices
    got = {}
    def request(req, iid=None, uuid=None):
        req['ORPCthis'] = orpcthis()
        got['stub'] = renumber(req.getData())
        raise Captured()
    svc.request = request
    svc.get_iPid = lambda: None
    try:
        call(svc)
    except Captured:
        pass
    return got['stub']

def parse_class(unit):
    ob = W.ENCODING_UNIT(unit)['ObjectBlock']; ob.parseObject()
    return ob.ctCurrent

def in_params_objref(class_name, current, method, args):
    """impacket's method proxy (IWbemClassObject.createMethods) builds the in-parameters."""
    obj = W.IWbemClassObject.__new__(W.IWbemClassObject)
    obj._iid = W.IID_IWbemClassObject
    got = {}
    class Services:
        def ExecMethod(self, path, name, pInParams=NULL):
            got['path'], got['name'], got['in'] = path, name, pInParams
    obj._IWbemClassObject__iWbemServices = Services()
    obj.createMethods(class_name, current['methods'])
    getattr(obj, method)(*args)
    return got

def out_unit(params, values):
    inst = {'class': dict(name='__PARAMETERS', parents=[], props=params), 'values': values}
    return enc['encoding_unit'](enc['instance_block'](inst))

def objref_custom(unit, size):
    c = D.OBJREF_CUSTOM(); c['iid'] = string_to_bin('dc12a681-737f-11cf-884d-00aa004b2e24'); c['clsid'] = W.CLSID_WbemClassObject
    c['pObjectData'] = unit; c['ObjectReferenceSize'] = size
    return c.getData()

def main():
    deco = ('WIN-SRV01', 'ROOT\\default')
    units = {'StdRegProv': class_unit(STDREGPROV, STDREGPROV_METHODS, deco),
             'Win32_Process': class_unit(PROCESS, PROCESS_METHODS, ('WIN-SRV01', 'ROOT\\cimv2'))}
    out = {'inputs': {'cid': CID}, 'classes': {}, 'calls': [], 'getObject': {}, 'answers': {}}
    for name, unit in units.items():
        cur = parse_class(unit)
        out['classes'][name] = {
            'unit': unit.hex(),
            # What impacket reads from our-format class: method names and their parameters in order.
            'methods': {m: {'in': None if d['InParams'] is None else [[p, v['stype'], bool(v['type'] & 0x2000)] for p, v in d['InParams'].items()],
                            'out': None if d['OutParams'] is None else [[p, v['stype'], bool(v['type'] & 0x2000)] for p, v in d['OutParams'].items()]}
                        for m, d in cur['methods'].items()},
        }
        out['getObject'][name] = capture_request(lambda svc: svc.GetObject(name)).hex()
    uninstall = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
    calls = [
        ('StdRegProv', 'EnumKey', [HKLM, uninstall]),
        ('StdRegProv', 'EnumValues', [HKLM, uninstall + '\\{90160000-008C-0000-1000-0000000FF1CE}']),
        ('StdRegProv', 'GetStringValue', [HKLM, uninstall + '\\7-Zip', 'DisplayName']),
        ('StdRegProv', 'GetExpandedStringValue', [HKLM, 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'SystemRoot']),
        ('StdRegProv', 'GetDWORDValue', [HKLM, 'HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0', '~MHz']),
        ('StdRegProv', 'GetQWORDValue', [HKLM, 'SOFTWARE\\Vendor', 'Counter']),
        ('StdRegProv', 'GetMultiStringValue', [HKLM, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer', 'DependOnService']),
        ('StdRegProv', 'GetBinaryValue', [HKLM, 'SOFTWARE\\Wow6432Node\\Grüße 日本', 'Blob']),
    ]
    for cls, method, args in calls:
        got = in_params_objref(cls, parse_class(units[cls]), method, args)
        in_objref = got['in'].getData()
        stub = capture_request(lambda svc: svc.ExecMethod(cls, method, pInParams=got['in']))
        out['calls'].append({'className': cls, 'path': cls, 'method': method, 'args': args,
                             'inParams': in_objref.hex(), 'execMethod': stub.hex()})
    got = in_params_objref('Win32_Process.Handle="4242"', parse_class(units['Win32_Process']), 'GetOwner', [])
    assert got['in'] is NULL
    stub = capture_request(lambda svc: svc.ExecMethod('Win32_Process.Handle="4242"', 'GetOwner'))
    out['calls'].append({'className': 'Win32_Process', 'path': 'Win32_Process.Handle="4242"', 'method': 'GetOwner', 'args': [],
                         'inParams': None, 'execMethod': stub.hex()})
    # Answers our decoders must read, built with impacket's response classes.
    enum_out = out_unit(STDREGPROV_METHODS[0][2], {'ReturnValue': 0, 'sNames': ['7-Zip', '{90160000-008C-0000-1000-0000000FF1CE}', 'Grüße']})
    r = W.IWbemServices_ExecMethodResponse(); r['ORPCthat'] = D.ORPCTHAT(); r['ORPCthat']['flags'] = 0; r['ORPCthat']['extensions'] = NULL
    ref = objref_custom(enum_out, len(enum_out) + 8)
    r['ppOutParams']['ulCntData'] = len(ref); r['ppOutParams']['abData'] = list(ref)
    r['ppCallResult'] = NULL; r['ErrorCode'] = 0
    out['answers']['execMethodEnumKey'] = {'stub': renumber(r.getData()).hex(), 'outParams': enum_out.hex(),
                                           'values': {'ReturnValue': 0, 'sNames': ['7-Zip', '{90160000-008C-0000-1000-0000000FF1CE}', 'Grüße']}}
    g = W.IWbemServices_GetObjectResponse(); g['ORPCthat'] = D.ORPCTHAT(); g['ORPCthat']['flags'] = 0; g['ORPCthat']['extensions'] = NULL
    ref = objref_custom(units['StdRegProv'], len(units['StdRegProv']) + 8)
    g['ppObject']['ulCntData'] = len(ref); g['ppObject']['abData'] = list(ref)
    g['ppCallResult'] = NULL; g['ErrorCode'] = 0
    out['answers']['getObjectStdRegProv'] = renumber(g.getData()).hex()
    json.dump(out, open('method-vectors.json', 'w'), indent=2, ensure_ascii=False)
    open('method-vectors.json', 'a').write('\n')

main()
