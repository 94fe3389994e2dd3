#!/usr/bin/python3
"""Writes the MS-WMIO test vectors in this folder (run once at test-writing time; tests only read
the .hex/.json files). Encodes objects per MS-WMIO with the small encoder below, then decodes
every encoding with impacket 0.10 (Debian python3-impacket) and checks impacket's reading against
the source values for each property impacket decodes correctly (see SKIP_IMPACKET); the .json
holds the source values in the shape the TypeScript decoder returns."""
import json, struct, sys
from impacket.dcerpc.v5.dcom.wmi import ENCODING_UNIT, OBJECT_BLOCK

T = dict(sint8=16, uint8=17, sint16=2, uint16=18, sint32=3, uint32=19, sint64=20, uint64=21,
         real32=4, real64=5, boolean=11, string=8, datetime=101, reference=102, char16=103, object=13)
FMT = dict(sint8='<b', uint8='<B', sint16='<h', uint16='<H', sint32='<i', uint32='<I', sint64='<q',
           uint64='<Q', real32='<f', real64='<d', boolean='<H', char16='<H')
BYREF = ('string', 'datetime', 'reference', 'object')
ARRAY = 0x2000

def estr(s):
    try:
        return b'\x00' + s.encode('latin1') + b'\x00'
    except UnicodeEncodeError:
        return b'\x01' + s.encode('utf-16le') + b'\x00\x00'

class Heap:
    def __init__(self): self.b = bytearray()
    def add(self, data):
        off = len(self.b); self.b += data; return off
    def encode(self): return struct.pack('<I', len(self.b) | 0x80000000) + bytes(self.b)

def scalar(t, v):
    if t == 'boolean': return struct.pack('<H', 0xffff if v else 0)
    if t == 'char16': return struct.pack('<H', ord(v))
    if t in ('sint64', 'uint64'): return struct.pack(FMT[t], int(v))
    return struct.pack(FMT[t], v)

def slot(t, arr, v, heap):
    """Value-table / qualifier slot bytes for value v (None: NULL)."""
    if v is None:
        return b'\x00' * (4 if arr or t in BYREF else len(scalar(t, 0 if t != 'char16' else 'a')))
    if arr:
        if t in BYREF:
            refs_at = heap.add(struct.pack('<I', len(v)) + b'\x00' * 4 * len(v))
            for i, item in enumerate(v):
                ref = heap.add(item_bytes(t, item))
                heap.b[refs_at + 4 + 4 * i: refs_at + 8 + 4 * i] = struct.pack('<I', ref)
            return struct.pack('<I', refs_at)
        return struct.pack('<I', heap.add(struct.pack('<I', len(v)) + b''.join(scalar(t, x) for x in v)))
    if t in BYREF:
        return struct.pack('<I', heap.add(item_bytes(t, v)))
    return scalar(t, v)

def item_bytes(t, v):
    if t == 'object':
        block = instance_block(v)
        return struct.pack('<I', len(block)) + block
    return estr(v)

def qualifier_set(quals, heap):
    out = b''
    for name, t, v in quals:
        ref = 0x80000000 | {'key': 1, 'read': 3, 'CIMTYPE': 10}[name] if name in ('key', 'read', 'CIMTYPE') else heap.add(estr(name))
        out += struct.pack('<IBI', ref, 0, T[t]) + slot(t, False, v, heap)
    return struct.pack('<I', len(out) + 4) + out

def sizes(t, arr): return 4 if arr or t in BYREF else len(scalar(t, 'a' if t == 'char16' else 0))

def class_part(cls):
    """cls: dict(name, parents, quals, props=[(name, type, isArray, default, inherited, quals)])."""
    heap = Heap()
    props = cls['props']
    name_ref = heap.add(estr(cls['name']))
    deriv = b''.join(estr(p) + struct.pack('<I', len(estr(p))) for p in cls['parents'])
    deriv = struct.pack('<I', len(deriv) + 4) + deriv
    cq = qualifier_set(cls.get('quals', []), heap)
    nd_len = (len(props) - 1) // 4 + 1 if props else 0
    offs, off = [], 0
    for p in props:
        offs.append(off); off += sizes(p[1], p[2])
    nd = bytearray(nd_len); values = b''
    lookups = []
    for order, p in enumerate(props):
        pname, t, arr, default, inherited, quals = p
        if default is None: nd[order >> 2] |= 1 << ((order & 3) * 2)
        if inherited: nd[order >> 2] |= 2 << ((order & 3) * 2)
        values += slot(t, arr, default, heap)
        allq = [('CIMTYPE', 'string', t + ('[]' if arr else ''))] + quals
        info = struct.pack('<IHII', T[t] | (ARRAY if arr else 0) | (0x4000 if inherited else 0), order, offs[order], 0) + qualifier_set(allq, heap)
        lookups.append((pname, heap.add(estr(pname)), heap.add(info)))
    lookups.sort(key=lambda x: x[0].lower())
    plt = struct.pack('<I', len(props)) + b''.join(struct.pack('<II', a, b) for _, a, b in lookups)
    ndv = bytes(nd) + values
    body = struct.pack('<BII', 0, name_ref, len(ndv)) + deriv + cq + plt + ndv + heap.encode()
    return struct.pack('<I', len(body) + 4) + body, len(ndv), nd_len, offs

EMPTY_METHODS = struct.pack('<IHHI', 12, 0, 0, 0x80000000)

def instance_body(inst):
    cls = inst['class']; props = cls['props']
    _, ndv_len, nd_len, offs = class_part(cls)
    heap = Heap()
    name_ref = heap.add(estr(cls['name']))
    nd = bytearray(nd_len); values = b''
    for order, p in enumerate(props):
        pname, t, arr = p[0], p[1], p[2]
        if pname in inst.get('defaults', ()):
            nd[order >> 2] |= 2 << ((order & 3) * 2); values += slot(t, arr, None, heap); continue
        v = inst['values'].get(pname)
        if v is None: nd[order >> 2] |= 1 << ((order & 3) * 2)
        values += slot(t, arr, v, heap)
    ndv = bytes(nd) + values
    assert len(ndv) == ndv_len
    body = struct.pack('<BI', 0, name_ref) + ndv + struct.pack('<I', 4) + b'\x01' + heap.encode()
    return struct.pack('<I', len(body) + 4) + body

def decoration(server, ns): return estr(server) + estr(ns)

def instance_block(inst, deco=None):
    flags = 0x02 | (0x04 if deco else 0)
    return bytes([flags]) + (decoration(*deco) if deco else b'') + class_part(inst['class'])[0] + instance_body(inst)

def encoding_unit(block): return struct.pack('<II', 0x12345678, len(block)) + block

# ---- expected JSON in the decoder's shape ---------------------------------------------------
def jv(t, arr, v):
    if v is None: return None
    if arr: return [jv(t, False, x) for x in v]
    if t == 'object': return expected_instance(v)
    if t == 'datetime': return {'dmtf': v}
    if t in ('sint64', 'uint64'): return str(v)
    return v

def expected_instance(inst, deco=None):
    cls = inst['class']
    props = {}
    for p in cls['props']:
        pname, t, arr, default = p[0], p[1], p[2], p[3]
        v = default if pname in inst.get('defaults', ()) else inst['values'].get(pname)
        props[pname] = {'cimType': t, 'isArray': arr, 'value': jv(t, arr, v)}
    out = {'kind': 'instance', 'className': cls['name'], 'derivation': cls['parents'], 'properties': props}
    if deco: out['server'], out['namespace'] = deco
    return out

# Properties impacket 0.10 reads wrongly: arrays of datetime/reference/char16/boolean/object
# (it returns heap offsets or raw words), and NULL handling of numbers (checked separately).
def impacket_check(block, inst):
    ob = OBJECT_BLOCK(block); ob.parseObject()
    got = ob.ctCurrent['values']
    for p in inst['class']['props']:
        pname, t, arr, default = p[0], p[1], p[2], p[3]
        v = default if pname in inst.get('defaults', ()) else inst['values'].get(pname)
        g = got[pname]['value']
        if arr and t in ('datetime', 'reference', 'char16', 'boolean', 'object'): continue
        if t == 'object' and v is not None:
            sub = g['ObjectBlock']; sub.parseObject()
            assert sub.ctCurrent['name'].split(' ')[0] == v['class']['name'], pname
            continue
        want = v
        # impacket reads the value 0xFFFFFFFF as "no value" whatever the type.
        if t == 'uint32' and v == 0xffffffff and g is None: continue
        if t == 'boolean' and v is not None: want = 'True' if v else 'False'
        if t == 'char16' and v is not None: want = ord(v)
        if pname in inst.get('defaults', ()): want = '%s' % v
        assert g == want, (pname, g, want)

# impacket 0.10 crashes on non-zero real32/real64 values (it slices its heap with the float), so
# its check runs on a copy with the reals NULL; the reals are checked by the TypeScript tests
# against Python's struct encoding alone.
def without_reals(inst):
    vals = {}
    for p in inst['class']['props']:
        v = inst['values'].get(p[0])
        if p[1] in ('real32', 'real64'): v = None
        elif p[1] == 'object' and v is not None:
            v = [without_reals(x) for x in v] if p[2] else without_reals(v)
        vals[p[0]] = v
    return dict(inst, values=vals)

def write(name, data, expected):
    open(name + '.hex', 'w').write(data.hex() + '\n')
    open(name + '.json', 'w').write(json.dumps(expected, indent=2, ensure_ascii=False) + '\n')

OS_CLASS = dict(name='Win32_OperatingSystem', parents=['CIM_OperatingSystem', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Caption', 'string', False, None, True, []),
    ('BuildNumber', 'string', False, None, False, []),
    ('CSName', 'string', False, None, True, [('key', 'boolean', True)]),
    ('InstallDate', 'datetime', False, None, True, []),
    ('LastBootUpTime', 'datetime', False, None, True, []),
    ('MUILanguages', 'string', True, None, False, []),
    ('OSArchitecture', 'string', False, None, False, []),
    ('ProductType', 'uint32', False, None, False, []),
    ('TotalVisibleMemorySize', 'uint64', False, None, True, []),
    ('Version', 'string', False, None, True, []),
    ('Primary', 'boolean', False, None, False, []),
    ('CountryCode', 'string', False, None, False, []),
    ('Status', 'string', False, 'OK', True, []),
])
OS_INSTANCE = dict(class_=None)
OS = dict(**{'class': OS_CLASS}, values={
    'Caption': 'Microsoft Windows Server 2022 Datacenter', 'BuildNumber': '20348', 'CSName': 'WIN-SRV01',
    'InstallDate': '20230115093012.000000+060', 'LastBootUpTime': '20240301071500.500000-300',
    'MUILanguages': ['en-US', 'de-DE'], 'OSArchitecture': '64-bit', 'ProductType': 3,
    'TotalVisibleMemorySize': 16776632, 'Version': '10.0.20348', 'Primary': True, 'CountryCode': None,
}, defaults=('Status',))

PROC_CLASS = dict(name='Win32_Process', parents=['CIM_Process', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Name', 'string', False, None, True, []),
    ('ProcessId', 'uint32', False, None, False, []),
    ('ParentProcessId', 'uint32', False, None, False, []),
    ('CommandLine', 'string', False, None, False, []),
    ('ExecutablePath', 'string', False, None, False, []),
    ('CreationDate', 'datetime', False, None, True, []),
    ('WorkingSetSize', 'uint64', False, None, True, []),
    ('Handle', 'string', False, None, True, [('key', 'boolean', True)]),
])
def proc(pid, name, cmd, ppid=4):
    return {'class': PROC_CLASS, 'values': {'Name': name, 'ProcessId': pid, 'ParentProcessId': ppid, 'CommandLine': cmd,
            'ExecutablePath': None if cmd is None else 'C:\\Windows\\System32\\' + name, 'CreationDate': '20240301071530.123456+000',
            'WorkingSetSize': 18446744073709551615 if pid == 1234 else pid * 4096, 'Handle': str(pid)}}

NESTED_CLASS = dict(name='Nested_Part', parents=[], props=[('Label', 'string', False, None, False, []), ('Weight', 'real64', False, None, False, [])])
def nested(label, w): return {'class': NESTED_CLASS, 'values': {'Label': label, 'Weight': w}}
ALL_CLASS = dict(name='NS_AllTypes', parents=['NS_Base'], props=[
    (n, t, arr, None, False, []) for n, t, arr in [
        ('S8', 'sint8', False), ('U8', 'uint8', False), ('S16', 'sint16', False), ('U16', 'uint16', False),
        ('S32', 'sint32', False), ('U32', 'uint32', False), ('S64', 'sint64', False), ('U64', 'uint64', False),
        ('R32', 'real32', False), ('R64', 'real64', False), ('B', 'boolean', False), ('Str', 'string', False),
        ('Dt', 'datetime', False), ('Ref', 'reference', False), ('C16', 'char16', False), ('Obj', 'object', False),
        ('AS8', 'sint8', True), ('AU8', 'uint8', True), ('AS16', 'sint16', True), ('AU16', 'uint16', True),
        ('AS32', 'sint32', True), ('AU32', 'uint32', True), ('AS64', 'sint64', True), ('AU64', 'uint64', True),
        ('AR32', 'real32', True), ('AR64', 'real64', True), ('AB', 'boolean', True), ('AStr', 'string', True),
        ('ADt', 'datetime', True), ('ARef', 'reference', True), ('AC16', 'char16', True), ('AObj', 'object', True),
        ('NullStr', 'string', False), ('NullU32', 'uint32', False), ('NullArr', 'uint16', True), ('Zero', 'uint32', False),
    ]])
ALL = {'class': ALL_CLASS, 'values': {
    'S8': -128, 'U8': 255, 'S16': -32768, 'U16': 65535, 'S32': -2147483648, 'U32': 4294967295,
    'S64': -9223372036854775808, 'U64': 18446744073709551615, 'R32': 1.5, 'R64': -2.25e-5, 'B': False,
    'Str': 'Grüße 日本', 'Dt': '00000001020304.000000:000', 'Ref': 'Win32_Service.Name="Spooler"', 'C16': 'Ω',
    'Obj': nested('inner', 0.5),
    'AS8': [-1, 0, 1], 'AU8': [0, 200], 'AS16': [-300, 300], 'AU16': [1, 65535], 'AS32': [-70000, 70000],
    'AU32': [1, 2, 3], 'AS64': [-1, 9007199254740993], 'AU64': [0, 18446744073709551615], 'AR32': [0.25, -8.0],
    'AR64': [3.5, 1e300], 'AB': [True, False, True], 'AStr': ['a', '', 'ß'], 'ADt': ['20240229235959.999999+000', '********000000.000000+000'],
    'ARef': ['\\\\SRV\\root\\cimv2:Win32_Service.Name="A"'], 'AC16': ['x', 'é'], 'AObj': [nested('first', 1.0), nested('second', 2.0)],
    'NullStr': None, 'NullU32': None, 'NullArr': None, 'Zero': 0,
}}

def main():
    # 1. MS-WMIO section 3's "Base" class, checked against impacket.
    base = bytes.fromhex(open('ms-wmio-3-base-class.hex').read())
    ob = ENCODING_UNIT(base)['ObjectBlock']; ob.parseObject()
    assert ob.ctCurrent['name'] == 'Base' and list(ob.ctCurrent['properties']) == ['Id']
    assert ob.ctCurrent['properties']['Id']['qualifiers'] == {'CIMTYPE': 'sint32', 'key': 'True'}
    # 2. Instances.
    deco = ('WIN-SRV01', 'ROOT\\cimv2')
    for name, inst, d in [('win32-operatingsystem', OS, deco), ('win32-process', proc(1234, 'svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs'), deco), ('all-types', ALL, None)]:
        block = instance_block(inst, d)
        checked = without_reals(inst)
        impacket_check(instance_block(checked, d), checked)
        write(name, encoding_unit(block), expected_instance(inst, d))
    # 3. An ObjectArray: a class, a full instance, then instances without their class part.
    procs = [proc(4, 'System', None, 0), proc(1234, 'svchost.exe', 'svchost.exe -k netsvcs'), proc(5678, 'lsass.exe', 'C:\\Windows\\system32\\lsass.exe')]
    cid = bytes(range(16))
    def packet(kind, data): return struct.pack('<IIB', 9, len(data), kind) + data
    cls_block = b'\x05' + decoration(*deco) + class_part(dict(name='', parents=[], props=[]))[0] + EMPTY_METHODS + class_part(PROC_CLASS)[0] + EMPTY_METHODS
    objs = packet(1, struct.pack('<II', 8, len(cls_block)) + cls_block)
    first = instance_block(procs[0], deco)
    objs += packet(2, struct.pack('<II', 0x18, len(first)) + cid + first)
    for p in procs[1:]:
        noclass = b'\x06' + decoration(*deco) + instance_body(p)
        objs += packet(3, struct.pack('<II', 0x18, len(noclass)) + cid + noclass)
    hdr = struct.pack('<I', 0) + b'WBEMDATA' + struct.pack('<IIIBB', 0x1a, len(objs) + 20, 0, 1, 0) + struct.pack('<II', 8, len(objs) + 12) + struct.pack('<III', 12, len(objs), 1 + len(procs))
    expected_cls = {'kind': 'class', 'className': 'Win32_Process', 'derivation': PROC_CLASS['parents'], 'server': deco[0], 'namespace': deco[1],
                    'properties': {p[0]: {'cimType': p[1], 'isArray': p[2], 'value': None} for p in PROC_CLASS['props']}}
    write('object-array-win32-process', hdr + objs, [expected_cls] + [expected_instance(p, deco) for p in procs])

main()
