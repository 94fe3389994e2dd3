#!/usr/bin/python3
"""Writes winrm-equivalents.json: MS-WMIO encoding units (hex) of the very instances the WinRM
tests serve as WS-Man XML (wsman-client.test.ts: five Win32_Service, one Win32_OperatingSystem,
three Win32_Process), so the DCOM path can be compared with the WinRM path object for object.
Encoded with the MS-WMIO encoder of ../../wmio/testdata/make-vectors.py (loaded without running
its main), whose encodings impacket 0.10 reads back; each unit here is read back by impacket's
ENCODING_UNIT too. Run once at test-writing time with /usr/bin/python3 from this folder."""
import json
from impacket.dcerpc.v5.dcom.wmi import ENCODING_UNIT

src = open('../../wmio/testdata/make-vectors.py').read()
src = src[: src.rindex('main()')]
enc = {}
exec(compile(src, 'make-vectors.py', 'exec'), enc)

DECO = ('WIN-SRV01', 'ROOT\\cimv2')
SERVICE = dict(name='Win32_Service', parents=['Win32_BaseService', 'CIM_Service', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Name', 'string', False, None, True, [('key', 'boolean', True)]),
    ('State', 'string', False, None, False, []),
    ('StartMode', 'string', False, None, True, []),
    ('ProcessId', 'uint32', False, None, False, []),
    ('Description', 'string', False, None, True, []),
])
OS = dict(name='Win32_OperatingSystem', parents=['CIM_OperatingSystem', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Caption', 'string', False, None, True, []),
    ('BuildNumber', 'string', False, None, False, []),
    ('ProductType', 'uint32', False, None, False, []),
    ('TotalVisibleMemorySize', 'uint64', False, None, True, []),
    ('LastBootUpTime', 'datetime', False, None, True, []),
    ('MUILanguages', 'string', True, None, False, []),
])
PROC = dict(name='Win32_Process', parents=['CIM_Process', 'CIM_LogicalElement', 'CIM_ManagedSystemElement'], props=[
    ('Name', 'string', False, None, True, []),
    ('ProcessId', 'uint32', False, None, False, []),
])

def unit(cls, values):
    block = enc['instance_block']({'class': cls, 'values': values}, DECO)
    u = enc['encoding_unit'](block)
    ob = ENCODING_UNIT(u)['ObjectBlock']; ob.parseObject()
    assert ob.ctCurrent['name'].split(' ')[0] == cls['name']
    return u.hex()

out = {
    'Win32_Service': [unit(SERVICE, {'Name': n, 'State': s, 'StartMode': 'Auto', 'ProcessId': len(n) * 100, 'Description': None})
                      for n, s in [('Spooler', 'Running'), ('W32Time', 'Stopped'), ('WinRM', 'Running'), ('Dhcp', 'Running'), ('Dnscache', 'Running')]],
    'Win32_OperatingSystem': [unit(OS, {'Caption': 'Microsoft Windows Server 2022 Datacenter', 'BuildNumber': '20348', 'ProductType': 3,
                                        'TotalVisibleMemorySize': 16776632, 'LastBootUpTime': '20240301071500.500000-300', 'MUILanguages': ['en-US', 'de-DE']})],
    'Win32_Process': [unit(PROC, {'Name': 'p%d.exe' % i, 'ProcessId': i}) for i in (1, 2, 3)],
}
json.dump(out, open('winrm-equivalents.json', 'w'), indent=2)
open('winrm-equivalents.json', 'a').write('\n')
