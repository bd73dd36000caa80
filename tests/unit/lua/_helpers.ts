/**
 * Test helpers for the Lua host: fake client sessions, configurations
 * written to a temporary directory, and a log sink that records lines.
 * @module
 */

import type { LogLevel } from "../../../src/log.ts";
import type { ClientSession, PeerCredentials, SessionPolicy } from "../../../src/proxy/policy.ts";
import { type HostServices, loadConfig, type LoadedConfig } from "../../../src/lua/mod.ts";
import { tempDir } from "../../support/tmp.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Lua/wire bytes of `text`. */
export const bytes = (text: string): Uint8Array => encoder.encode(text);
/** `bytes` as UTF-8 text. */
export const text = (value: Uint8Array | null): string | null =>
  value === null ? null : decoder.decode(value);

let nextId = 1;

/** A ClientSession the tests control. */
export class FakeSession implements ClientSession {
  readonly id = nextId++;
  account: Uint8Array | null = null;
  serverVersion = "5.7.30";
  closed = false;

  constructor(readonly peer: PeerCredentials | null = { pid: 4242, uid: 1000, gid: 100 }) {}

  get logPrefix(): string {
    const account = this.account ? ` account="${text(this.account)}"` : "";
    return this.peer ? `pid=${this.peer.pid} uid=${this.peer.uid}${account}` : `id=${this.id}`;
  }
}

/** Log lines recorded by {@link recordingLog}. */
export interface LogLine {
  level: LogLevel;
  message: string;
  prefix?: string;
}

/** Services whose `log` records into the returned array. */
export function recordingLog(): { lines: LogLine[]; services: HostServices } {
  const lines: LogLine[] = [];
  return {
    lines,
    services: { log: (level, message, prefix) => lines.push({ level, message, prefix }) },
  };
}

/** Where a configuration was written, and the result of loading it. */
export interface Loaded {
  readonly path: string;
  readonly config: LoadedConfig;
}

/**
 * Writes `source` to `<tmp>/config.lua`, loads it and removes the
 * directory. The caller closes `config`.
 */
export async function loadSource(source: string, services?: HostServices): Promise<Loaded> {
  await using dir = await tempDir("lua");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(path, source);
  return { path, config: await loadConfig(path, services) };
}

/**
 * Loads `source` expecting failure; returns the error (with the path, so
 * tests can check the `file:line:` prefix).
 */
export async function loadFailure(
  source: string,
  services?: HostServices,
): Promise<{ path: string; error: Error }> {
  await using dir = await tempDir("lua");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(path, source);
  try {
    const config = await loadConfig(path, services);
    config.close();
  } catch (error) {
    return { path, error: error as Error };
  }
  throw new Error("loadConfig() succeeded unexpectedly");
}

/** A minimal valid handler table, as Lua source. */
export const MINIMAL_HANDLER =
  "{ on_handshake_response = function(c, h) return c:connect('127.0.0.1', h) end }";

/**
 * Loads a configuration whose only listener uses the handler table
 * `handlerSource` (Lua source after `local h = `), with `prelude` run first.
 */
export async function loadHandler(
  handlerSource: string,
  prelude = "",
  services?: HostServices,
): Promise<Loaded & { policy: SessionPolicy }> {
  const loaded = await loadSource(
    `${prelude}\nlocal h = ${handlerSource}\nmysql_listen('/tmp/myproxy-test.sock', h)\n`,
    services,
  );
  return { ...loaded, policy: loaded.config.listeners[0].policy };
}

/** A HandshakeInfo from text. */
export function handshake(user: string, password: string, database: string | null = null) {
  return {
    user: bytes(user),
    password: bytes(password),
    database: database === null ? null : bytes(database),
  };
}
