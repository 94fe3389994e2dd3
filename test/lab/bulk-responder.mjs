#!/usr/bin/env node
// Lab bulk host: TCP listeners on 0.0.0.0 for the bulk ports; 22 sends an SSH banner, the rest accept and close.
import { createServer } from 'node:net';

const ports = (process.argv[2] ?? '22,443,445,5985').split(',').map(Number);
const banner = 'SSH-2.0-OpenSSH_9.2p1 NopeSightLabBulk\r\n';
const servers = [];

for (const port of ports) {
  const server = createServer({ pauseOnConnect: port !== 22 }, (socket) => {
    socket.on('error', () => {});
    if (port === 22) socket.end(banner);
    else socket.destroy();
  });
  server.on('error', (err) => {
    console.error(`bulk-responder: port ${port}: ${err.message}`);
    process.exit(1);
  });
  // A big backlog: a sweep completes thousands of handshakes a second; the kernel queues them here.
  server.listen({ host: '0.0.0.0', port, backlog: 65535 });
  servers.push(server);
}
console.log(`bulk-responder: listening on ${ports.join(', ')} (pid ${process.pid})`);
const stop = () => {
  for (const s of servers) s.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
