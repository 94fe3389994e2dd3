// Preload for the SSH inventory bench (node --import): counts the SSH connections and channels the
// process opens through ssh2 and prints them as one JSON line on stderr at exit.
import ssh2 from 'ssh2';

const counts = { connections: 0, exec: 0, shell: 0, sftp: 0, subsys: 0 };
const proto = ssh2.Client.prototype;
for (const method of ['connect', 'exec', 'shell', 'sftp', 'subsys']) {
  const original = proto[method];
  proto[method] = function (...args) {
    counts[method === 'connect' ? 'connections' : method]++;
    return original.apply(this, args);
  };
}
process.on('exit', () => process.stderr.write(`${JSON.stringify({ benchSshCounts: counts })}\n`));
