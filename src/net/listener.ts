/**
 * Stream listeners for MySQL clients: unix paths (stale file removed, mode
 * 0666), abstract names, TCP, and sockets passed by systemd. `node:net` is
 * used rather than `Deno.listen` because its unix sockets expose the file
 * descriptor needed for SO_PEERCRED and it can adopt inherited descriptors
 * (platform.md, "Sockets").
 * @module
 */

import net from "node:net";
import { formatAddress, type SocketAddress } from "./address.ts";
import { describePermissionError } from "./permission.ts";
import { peerCredentialsOfFd, socketFd } from "../os/peercred.ts";
import { systemdListenFds } from "../os/systemd_fds.ts";
import type { PeerCredentials } from "../proxy/policy.ts";

/** What a listener is asked to listen on. */
export type ListenAddress = SocketAddress | "systemd";

/** A failure to listen (address in use, permission, bad systemd environment). */
export class ListenError extends Error {
  override name = "ListenError";
}

/** Called for each accepted connection. */
export type AcceptHandler = (socket: net.Socket, peer: PeerCredentials | null) => void;

/** An open listener. */
export interface Listener {
  /** Human-readable address for logs and `--check`. */
  readonly description: string;
  /** Stops accepting; existing connections stay. */
  close(): Promise<void>;
}

function removeStaleSocket(path: string): void {
  try {
    if (Deno.lstatSync(path).isSocket) Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function serve(
  description: string,
  local: boolean,
  onAccept: AcceptHandler,
  start: (server: net.Server) => void,
): Promise<Listener> {
  const server = net.createServer({ pauseOnConnect: false }, (socket) => {
    let peer: PeerCredentials | null = null;
    if (local) {
      const fd = socketFd(socket);
      peer = fd === null ? null : peerCredentialsOfFd(fd);
    } else {
      socket.setNoDelay(true);
    }
    onAccept(socket, peer);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) => {
      reject(
        new ListenError(`Cannot listen on ${description}: ${error.message}`, { cause: error }),
      );
    });
    server.once("listening", () => {
      server.removeAllListeners("error");
      server.on("error", () => {}); // accept errors are per connection
      resolve({
        description,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
    try {
      start(server);
    } catch (error) {
      reject(new ListenError(describePermissionError(error, `listen on ${description}`)));
    }
  });
}

/** Opens the listener(s) for one `mysql_listen()` address. */
export async function openListeners(
  address: ListenAddress,
  onAccept: AcceptHandler,
): Promise<Listener[]> {
  if (address === "systemd") {
    let fds: number[];
    try {
      fds = systemdListenFds();
    } catch (error) {
      throw new ListenError(describePermissionError(error, "read the systemd socket environment"));
    }
    if (fds.length === 0) throw new ListenError("No sockets passed by systemd (LISTEN_FDS)");
    return await Promise.all(fds.map((fd) =>
      // Inherited sockets may be unix or TCP: asking for credentials is harmless on TCP.
      serve(`systemd fd ${fd}`, true, onAccept, (server) => server.listen({ fd }))
    ));
  }
  const description = formatAddress(address);
  switch (address.family) {
    case "unix": {
      const path = address.path;
      const listener = await serve(description, true, onAccept, (server) => {
        removeStaleSocket(path);
        server.listen(path);
      });
      Deno.chmodSync(path, 0o666);
      return [listener];
    }
    case "abstract":
      return [
        await serve(description, true, onAccept, (server) => server.listen(`\0${address.name}`)),
      ];
    default:
      return [
        await serve(
          description,
          false,
          onAccept,
          (server) => server.listen({ host: address.host, port: address.port }),
        ),
      ];
  }
}
