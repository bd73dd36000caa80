/**
 * Child processes for test fixtures and benchmarks (throwaway servers,
 * HAProxy, the proxy under test) that cannot outlive us: each runs under
 * `setpriv --pdeathsig KILL`, so the kernel kills it when this process dies,
 * even on SIGKILL or a crashed test runner. Output goes to a log file that
 * failures quote.
 * @module
 */

/** Options for {@linkcode spawnChild}. */
export interface ChildOptions {
  /** File that receives stdout and stderr (appended). */
  logFile?: string;
  /** Run as this user (with its groups); needs root. */
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** A running child; disposing it stops it. */
export interface Child extends AsyncDisposable {
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /** True once the process has exited. */
  exited(): boolean;
  /**
   * Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs.
   * Safe to call more than once and after the process exited.
   */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<void>;
}

/** Starts `command` with `args`, killed by the kernel if this process dies. */
export async function spawnChild(
  command: string,
  args: string[],
  options: ChildOptions = {},
): Promise<Child> {
  const log = options.logFile === undefined
    ? undefined
    : await Deno.open(options.logFile, { create: true, append: true });
  const proc = new Deno.Command("setpriv", {
    args: setprivArgs(command, args, options),
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: log ? "piped" : "null",
    stderr: log ? "piped" : "null",
  }).spawn();
  const copies = log ? [copyInto(proc.stdout, log), copyInto(proc.stderr, log)] : [];
  let done = false;
  const status = proc.status.then(async (status) => {
    done = true;
    await Promise.all(copies);
    log?.close();
    return status;
  });
  const stop = async (signal: Deno.Signal = "SIGTERM", graceMs = 5_000) => {
    if (done) return void await status;
    signalSafely(proc, signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    const outcome = await Promise.race([status, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") signalSafely(proc, "SIGKILL");
    await status;
  };
  return {
    pid: proc.pid,
    status,
    exited: () => done,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}

async function copyInto(stream: ReadableStream<Uint8Array>, file: Deno.FsFile): Promise<void> {
  for await (const chunk of stream) await file.write(chunk);
}

function signalSafely(process: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    process.kill(signal);
  } catch {
    // It exited between our check and the signal.
  }
}

/** The last `lines` lines of a log file, for error messages; "" if unreadable. */
export async function tailOf(path: string, lines = 30): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** `setpriv` arguments that run `command` as `options.user`, killed when we die. */
function setprivArgs(command: string, args: string[], options: ChildOptions): string[] {
  const user = options.user === undefined
    ? []
    : [`--reuid=${options.user}`, `--regid=${options.user}`, "--init-groups"];
  return ["--pdeathsig", "KILL", ...user, "--", command, ...args];
}

/**
 * Runs a command to completion (killed if we die) and returns its stdout and
 * stderr; throws with that output when it exits unsuccessfully.
 */
export async function run(
  command: string,
  args: string[],
  options: Omit<ChildOptions, "logFile"> = {},
): Promise<string> {
  const output = await new Deno.Command("setpriv", {
    args: setprivArgs(command, args, options),
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) {
    throw new Error(
      `Command "${command}" failed with exit code ${output.code}:\n${text.trimEnd()}`,
    );
  }
  return text;
}

/** An unused TCP port on 127.0.0.1 (racy by nature: bind soon). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Polls `probe` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
