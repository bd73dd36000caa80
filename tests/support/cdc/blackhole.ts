/**
 * A loopback port where `connect()` hangs: a listener that never accepts,
 * with its accept queue filled, so the kernel drops further SYNs. Used to
 * test the dial timeout and cancelling a connect without a routable
 * black-hole address.
 * @module
 */

/** The hanging port and how to release it. */
export interface Blackhole extends AsyncDisposable {
  readonly address: string;
  close(): void;
}

/** Creates a blackhole (fills the backlog: a few hundred loopback sockets). */
export async function blackhole(): Promise<Blackhole> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const fillers: Deno.Conn[] = [];
  const close = () => {
    for (const conn of fillers) conn.close();
    fillers.length = 0;
    listener.close();
  };
  try {
    for (let i = 0; i < 4096; i++) {
      const attempt = new AbortController();
      const timer = setTimeout(() => attempt.abort(), 100);
      try {
        fillers.push(await Deno.connect({ hostname: "127.0.0.1", port, signal: attempt.signal }));
      } catch {
        // This connect hung: the queue is full.
        return {
          address: `127.0.0.1:${port}`,
          close,
          [Symbol.asyncDispose]: () => Promise.resolve(close()),
        };
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (error) {
    close();
    throw error;
  }
  close();
  throw new Error("Could not fill the accept queue of a loopback listener");
}
