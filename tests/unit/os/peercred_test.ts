import assert from "node:assert/strict";
import net from "node:net";
import { peerCredentialsOfFd } from "../../../src/os/peercred.ts";
import { FdListener, listenFd } from "../../../src/os/sockets.ts";
import { thePoller } from "../../../src/os/poller.ts";
import { tempDir } from "../../support/tmp.ts";

/**
 * This process's effective uid and gid, taken from the owner of a new
 * directory: `Deno.uid()` would need `--allow-sys=uid`, which the test task
 * does not grant.
 */
async function ownIds(): Promise<{ uid: number; gid: number }> {
  await using dir = await tempDir("ids");
  const { uid, gid } = await Deno.stat(dir.path);
  assert.ok(uid !== null && gid !== null);
  return { uid, gid };
}

const me = await ownIds();

/** Listens on `path`; resolves each accepted socket's credentials, then ends it. */
async function credentialServer(path: string) {
  const seen: Promise<ReturnType<typeof peerCredentialsOfFd>>[] = [];
  let accept!: (value: ReturnType<typeof peerCredentialsOfFd>) => void;
  const next = () => seen.push(new Promise((resolve) => accept = resolve));
  next();
  const listener = new FdListener(
    listenFd({ family: "unix", path }),
    path,
    (socket) => {
      accept(peerCredentialsOfFd(socket.fd));
      next();
      socket.end();
    },
    false,
    (error) => {
      throw error;
    },
  );
  await Deno.chmod(path, 0o777);
  return {
    nextCredentials: () => seen[0].then((value) => (seen.shift(), value)),
    [Symbol.asyncDispose]: async () => {
      listener.close();
      await thePoller().stopped();
    },
  };
}

Deno.test("a client in this process sees its own pid, uid and gid", async () => {
  await using dir = await tempDir("peercred");
  await using server = await credentialServer(`${dir.path}/s.sock`);
  const client = net.connect(`${dir.path}/s.sock`);
  const closed = new Promise((resolve) => client.on("close", resolve));
  client.resume();
  assert.deepEqual(await server.nextCredentials(), {
    pid: Deno.pid,
    uid: me.uid,
    gid: me.gid,
  });
  await closed;
});

Deno.test({
  name: "a client running as nobody is reported with uid and gid 65534",
  ignore: me.uid !== 0, // only root can start a client as another user
  async fn() {
    await using dir = await tempDir("peercred", 0o755);
    const path = `${dir.path}/s.sock`;
    await using server = await credentialServer(path);
    const script = "import socket,sys,os;s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);" +
      "print(os.getpid(),flush=True);s.recv(1)";
    const child = new Deno.Command("setpriv", {
      args: [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "/usr/bin/python3",
        "-c",
        script,
        path,
      ],
      stdout: "piped",
    }).spawn();
    const [credentials, output] = await Promise.all([server.nextCredentials(), child.output()]);
    assert.equal(output.code, 0);
    const pid = Number(new TextDecoder().decode(output.stdout).trim());
    assert.deepEqual(credentials, { pid, uid: 65534, gid: 65534 });
  },
});

Deno.test("descriptors without peer credentials give null", () => {
  assert.equal(peerCredentialsOfFd(-1), null);
  assert.equal(peerCredentialsOfFd(1_000_000), null);
});
