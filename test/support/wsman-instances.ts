// Test-only WMI instances as a WS-Man peer serves them (XML fragments of <p:Class> elements) and
// the class schema that types them; the DCOM peer of wmi-session.test.ts serves the same
// instances MS-WMIO encoded (transports/wmi/testdata/make-instances.py), so both paths compare.
import type { CimSchema } from '../../packages/agent/src/transports/wsman/wsman-response.js';

const P = (cls: string) => `http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/${cls}`;
const service = (name: string, state: string) =>
  `<p:Win32_Service xmlns:p="${P('Win32_Service')}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
  `<p:Name>${name}</p:Name><p:State>${state}</p:State><p:StartMode>Auto</p:StartMode>` +
  `<p:ProcessId>${name.length * 100}</p:ProcessId><p:Description xsi:nil="true"/></p:Win32_Service>`;

/** Five services, one operating system, three processes, per class. */
export const WSMAN_INSTANCES = {
  Win32_Service: [
    service('Spooler', 'Running'),
    service('W32Time', 'Stopped'),
    service('WinRM', 'Running'),
    service('Dhcp', 'Running'),
    service('Dnscache', 'Running'),
  ],
  Win32_OperatingSystem: [
    `<p:Win32_OperatingSystem xmlns:p="${P('Win32_OperatingSystem')}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common">` +
      '<p:Caption>Microsoft Windows Server 2022 Datacenter</p:Caption><p:BuildNumber>20348</p:BuildNumber>' +
      '<p:ProductType>3</p:ProductType><p:TotalVisibleMemorySize>16776632</p:TotalVisibleMemorySize>' +
      '<p:LastBootUpTime><cim:Datetime>2024-03-01T07:15:00.5-05:00</cim:Datetime></p:LastBootUpTime>' +
      '<p:MUILanguages>en-US</p:MUILanguages><p:MUILanguages>de-DE</p:MUILanguages></p:Win32_OperatingSystem>',
  ],
  Win32_Process: [1, 2, 3].map(
    (i) =>
      `<p:Win32_Process xmlns:p="${P('Win32_Process')}"><p:Name>p${i}.exe</p:Name><p:ProcessId>${i}</p:ProcessId></p:Win32_Process>`,
  ),
};

/** WS-Man carries text: the CIM types come from the class schema, as the collector supplies it. */
export const WSMAN_INSTANCES_SCHEMA: CimSchema = {
  Win32_Service: { ProcessId: { cimType: 'uint32' } },
  Win32_OperatingSystem: {
    ProductType: { cimType: 'uint32' },
    TotalVisibleMemorySize: { cimType: 'uint64' },
    MUILanguages: { cimType: 'string', isArray: true },
  },
  Win32_Process: { ProcessId: { cimType: 'uint32' } },
};
