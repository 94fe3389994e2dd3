// The Windows collector over port 445: inventory from registry, svcctl, SAM, LSA, srvsvc and
// wkssvc through the WindowsRemote port; processes and connections by opt-in remote execution.
export {
  collectWindowsInventory,
  DEFAULT_CAPS,
  type CollectWindowsOptions,
  type RemoteExecData,
  type WindowsCaps,
  type WindowsCi,
  type WindowsInventory,
} from './inventory.js';
export { WINDOWS_SECTIONS, type WindowsSectionName } from './section-log.js';
export { gatherByRemoteExec } from './exec-inventory.js';
export { runRemoteCommand, type RemoteExecOptions, type RemoteExecResult } from './remote-exec.js';
export type * from './remote.js';
