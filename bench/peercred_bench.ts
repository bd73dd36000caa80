/**
 * Cost of reading a peer's credentials once per accepted connection.
 *
 *     deno bench --allow-read --allow-write --allow-net \
 *       --allow-ffi=/usr/lib/x86_64-linux-gnu/libc.so.6 bench/peercred_bench.ts
 * @module
 */

import net from "node:net";
import { peerCredentialsOfFd } from "../src/os/peercred.ts";
import type { FdSocket } from "../src/os/fd_socket.ts";
import { FdListener, listenFd } from "../src/os/sockets.ts";

const dir = await Deno.makeTempDir({ prefix: "myproxy-peercred-bench-" });
const path = `${dir}/s.sock`;
const accepted = Promise.withResolvers<FdSocket>();
const server = new FdListener(
  listenFd({ family: "unix", path }),
  path,
  accepted.resolve,
  false,
  (e) => {
    throw e;
  },
);
const client = net.connect(path);
const socket = await accepted.promise;
const fd = socket.fd;

Deno.bench("peerCredentialsOfFd (getsockopt SO_PEERCRED)", () => {
  peerCredentialsOfFd(fd);
});

globalThis.addEventListener("unload", () => {
  client.destroy();
  socket.destroy();
  server.close();
  Deno.removeSync(dir, { recursive: true });
});
