import assert from "node:assert/strict";
import {
  describeHostError,
  isPermissionError,
  permissionAdvice,
} from "../../../src/net/permission.ts";
import { FakeSession, handshake, loadFailure, loadHandler, text } from "../lua/_helpers.ts";

const notCapable = (kind: string, target: string) =>
  new Deno.errors.NotCapable(
    `Requires ${kind} access to "${target}", run again with the --allow-${kind} flag`,
  );

/** What Deno's node:dns emulation throws when getaddrinfo is not allowed. */
function lookupRefused(hostname: string): Error {
  return Object.assign(new Error(`getaddrinfo EPERM ${hostname}`), {
    code: "EPERM",
    errno: -1,
    syscall: "getaddrinfo",
    hostname,
  });
}

Deno.test("a NotCapable refusal names the flag to add", () => {
  assert.equal(
    permissionAdvice(notCapable("net", "db1:3306")),
    'Requires net access to "db1:3306": add --allow-net=db1:3306 ' +
      'to the deno run flags (deno.json task "start")',
  );
  assert.equal(
    describeHostError(notCapable("env", "SECRET"), 'read "SECRET"'),
    'Cannot read "SECRET": requires env access to "SECRET": add --allow-env=SECRET ' +
      'to the deno run flags (deno.json task "start")',
  );
});

Deno.test("a refused lookup needs net access to the bare host name, also when wrapped", () => {
  const wrapped = new Error('Cannot resolve "db1": getaddrinfo EPERM db1', {
    cause: lookupRefused("db1"),
  });
  assert.ok(isPermissionError(wrapped));
  assert.equal(
    describeHostError(wrapped, 'resolve "db1:3306"'),
    'Cannot resolve "db1:3306": requires net access to "db1": add --allow-net=db1 ' +
      'to the deno run flags (deno.json task "start")',
  );
});

Deno.test("the operating system's PermissionDenied is flagged; other errors keep their message", () => {
  const denied = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  assert.ok(isPermissionError(denied));
  assert.equal(permissionAdvice(denied), null);
  assert.equal(
    describeHostError(denied),
    "Permission denied (os error 13) (refused by the operating system, not by Deno)",
  );
  const other = new Error("Connection refused");
  assert.ok(!isPermissionError(other));
  assert.equal(describeHostError(other), "Connection refused");
});

Deno.test("mysql_resolve refused by Deno is a Lua error with advice at startup", async () => {
  const { path, error } = await loadFailure(`local a = mysql_resolve("db1:3306")`, {
    resolveAddress: () => Promise.reject(new Error("wrapped", { cause: lookupRefused("db1") })),
  });
  assert.equal(error.name, "ConfigError");
  assert.equal(
    error.message,
    `${path}:1: Cannot resolve "db1:3306": requires net access to "db1": add --allow-net=db1 ` +
      'to the deno run flags (deno.json task "start")',
  );
});

Deno.test("a refusal inside a callback is a catchable Lua error; the process goes on", async () => {
  const { config, policy } = await loadHandler(
    `{ on_handshake_response = function(client, h)
         local ok, message = pcall(mysql_resolve, "db2")
         return client:err(message)
       end }`,
    "",
    { resolveAddress: () => Promise.reject(notCapable("net", "db2")) },
  );
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", ""));
    assert.equal(
      verdict.kind === "err" && text(verdict.message),
      'Cannot resolve "db2": requires net access to "db2": add --allow-net=db2 ' +
        'to the deno run flags (deno.json task "start")',
    );
  } finally {
    config.close();
  }
});
