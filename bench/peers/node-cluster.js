// The Node.js peer of the handoff benchmark: a cluster whose primary accepts every connection and
// hands it to a worker round-robin (cluster.SCHED_RR, which passes the handle over an IPC channel,
// the same shape as sd's listener and dispatchers). Each worker writes "HI\n" and closes.
//
//   node bench/peers/node-cluster.js PORT [WORKERS]
//
// Listens on 127.0.0.1 only, prints "ready PORT" once every worker listens, and stops on SIGTERM.
'use strict';

const cluster = require('node:cluster');
const net = require('node:net');

// Must be set before the first fork (the default on Linux is SCHED_RR too; it is stated anyway).
cluster.schedulingPolicy = cluster.SCHED_RR;

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? 2);
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !Number.isInteger(workers) || workers < 1) {
  console.error('usage: node node-cluster.js PORT [WORKERS]');
  process.exit(2);
}

if (cluster.isPrimary) {
  let listening = 0;
  let stopping = false;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) console.log(`ready ${port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`node-cluster: worker ${worker.process.pid} died (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  const stop = (code) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    // Bounded: whatever a worker does, the primary is gone within 2 s.
    setTimeout(() => process.exit(code), 2000).unref();
    cluster.disconnect(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const greeting = Buffer.from('HI\n');
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(greeting);
  });
  server.listen({ port, host: '127.0.0.1', backlog: 511 });
}
