/**
 * Cost of reading a peer's credentials once per accepted connection.
 *
 *     deno bench --allow-read --allow-write --allow-net \
 *       --allow-ffi=/usr/lib/x86_64-linux-gnu/libc.so.6 bench/peercred_bench.ts
 * @module
 */

import net from "node:net";
import { peerCredentialsOfFd, socketFd } from "../src/os/peercred.ts";

const dir = await Deno.makeTempDir({ prefix: "myproxy-peercred-bench-" });
const path = `${dir}/s.sock`;
const accepted = Promise.withResolvers<net.Socket>();
const server = net.createServer((socket) => accepted.resolve(socket));
await new Promise<void>((resolve) => server.listen(path, resolve));
const client = net.connect(path);
const socket = await accepted.promise;
const fd = socketFd(socket)!;

Deno.bench("socketFd (internal _handle.fd)", () => {
  socketFd(socket);
});

Deno.bench("peerCredentialsOfFd (getsockopt SO_PEERCRED)", () => {
  peerCredentialsOfFd(fd);
});

globalThis.addEventListener("unload", () => {
  client.destroy();
  socket.destroy();
  server.close();
  Deno.removeSync(dir, { recursive: true });
});
