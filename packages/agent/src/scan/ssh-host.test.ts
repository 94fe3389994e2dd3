// Tests sshCiType: what a logged-in look says the host is, over the collector's own empty record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInventory, type SshCi } from '../collectors/ssh/index.js';
import {
  unknownVirtualization,
  type VirtualizationInfo,
} from '../collectors/ssh/parsers/virtualization.js';
import { sshCiType } from './ssh-host.js';

function ci(
  virtualization: Partial<VirtualizationInfo> | null,
  os: Partial<SshCi['os']> = {},
): SshCi {
  const base = buildInventory({ sections: new Map(), done: true }).ci;
  return {
    ...base,
    os: { ...base.os, name: 'Debian GNU/Linux', family: 'debian', ...os },
    virtualization: virtualization ? { ...unknownVirtualization(), ...virtualization } : null,
  };
}

test('sshCiType: a VM is a virtual_machine naming its hypervisor and evidence', () => {
  const t = sshCiType(
    ci({ role: 'virtual_machine', hypervisor: 'kvm', evidence: ['systemd-detect-virt --vm=kvm'] }),
  );
  assert.equal(t.type, 'virtual_machine');
  assert.match(
    t.reason,
    /Debian GNU\/Linux virtual machine on kvm \(systemd-detect-virt --vm=kvm\)/,
  );
});

test('sshCiType: physical hardware, unknown and containers are servers; a Mac is a workstation', () => {
  assert.deepEqual(sshCiType(ci({ role: 'physical' })), {
    type: 'server',
    reason: 'ssh: Debian GNU/Linux on physical hardware',
  });
  assert.equal(sshCiType(ci(null)).type, 'server');
  const docker = sshCiType(ci({ role: 'container', container: 'docker' }));
  assert.equal(docker.type, 'server');
  assert.match(docker.reason, /in a docker container/);
  assert.equal(sshCiType(ci(null, { family: 'macos', name: 'macOS' })).type, 'workstation');
});
