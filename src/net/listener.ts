/**
 * Stream listeners for MySQL clients: unix paths (stale file removed, mode
 * 0666), abstract names, TCP, and sockets passed by systemd. The sockets are
 * the proxy's own (src/os/sockets.ts): their descriptors give SO_PEERCRED and
 * their traffic runs through the proxy's poller, not Deno's socket layer.
 * @module
 */

import { formatAddress, type SocketAddress } from "./address.ts";
import { describePermissionError } from "./permission.ts";
import { peerCredentialsOfFd } from "../os/peercred.ts";
import { systemdListenFds } from "../os/systemd_fds.ts";
import type { FdSocket } from "../os/fd_socket.ts";
import { FdListener, isListeningFd, isTcpFd, listenFd, setNonBlocking } from "../os/sockets.ts";
import type { PeerCredentials } from "../proxy/policy.ts";

/** What a listener is asked to listen on. */
export type ListenAddress = SocketAddress | "systemd";

/** A failure to listen (address in use, permission, bad systemd environment). */
export class ListenError extends Error {
  override name = "ListenError";
}

/** Called for each accepted connection. */
export type AcceptHandler = (socket: FdSocket, peer: PeerCredentials | null) => void;

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

/** Serves the listening descriptor `fd`; credentials are read on local sockets. */
function serve(fd: number, description: string, onAccept: AcceptHandler): Listener {
  const tcp = isTcpFd(fd);
  const listener = new FdListener(
    fd,
    description,
    (socket) => {
      let peer: PeerCredentials | null = null;
      try {
        if (!tcp) peer = peerCredentialsOfFd(socket.fd);
      } catch (error) {
        console.error(`Accepting on ${description}: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      onAccept(socket, peer);
    },
    tcp,
    (error) => console.error(`Accepting on ${description}: ${error.message}`),
  );
  return {
    description,
    close: () => {
      listener.close();
      return Promise.resolve();
    },
  };
}

function listenOn(address: SocketAddress, description: string): number {
  try {
    return listenFd(address);
  } catch (error) {
    throw new ListenError(describePermissionError(error, `listen on ${description}`), {
      cause: error,
    });
  }
}

/** Opens the listener(s) for one `mysql_listen()` address. */
// deno-lint-ignore require-await -- async turns every throw below into a rejection
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
    for (const fd of fds) {
      if (!isListeningFd(fd)) {
        throw new ListenError(
          `systemd fd ${fd} is not a listening stream socket (the socket unit needs Accept=no)`,
        );
      }
    }
    return fds.map((fd) => {
      setNonBlocking(fd);
      return serve(fd, `systemd fd ${fd}`, onAccept);
    });
  }
  const description = formatAddress(address);
  if (address.family === "unix") {
    try {
      removeStaleSocket(address.path);
    } catch (error) {
      throw new ListenError(describePermissionError(error, `listen on ${description}`));
    }
    const listener = serve(listenOn(address, description), description, onAccept);
    try {
      Deno.chmodSync(address.path, 0o666);
    } catch (error) {
      void listener.close();
      throw new ListenError(describePermissionError(error, `chmod ${description}`));
    }
    return [listener];
  }
  return [serve(listenOn(address, description), description, onAccept)];
}
