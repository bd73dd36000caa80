/**
 * The proxy's own event loop for the sockets it owns: one epoll instance
 * driven through libc, with `recv`/`send` called synchronously by the
 * handlers. It exists because Deno's own socket machinery costs about twice
 * HAProxy's user-space CPU per relayed query (docs/benchmarks.md); here a
 * relayed packet costs one `recv`, one `send` and a share of `epoll_wait`.
 *
 * It cooperates with Deno's event loop rather than replacing it:
 * - while traffic flows it blocks in `epoll_wait` on the JavaScript thread,
 *   with Deno's own epoll descriptors in the set, so Deno's I/O wakes it;
 * - it never passes `epoll_wait` a timeout: arming a one-shot kernel timer on
 *   every wait costs about 5 µs on this virtual machine (a third of a relayed
 *   query's CPU, measured in docs/benchmarks.md). A periodic timerfd ticks
 *   every {@linkcode TICK_MS} instead, and only while traffic flows;
 * - after a batch that may have created promise work (a handler called
 *   {@linkcode Poller.requestTurn}), after Deno's descriptors were ready, on
 *   every tick (so Deno's timers run) and at least every
 *   {@linkcode TURN_EVERY} batches, it yields one macrotask (`setImmediate`),
 *   which runs pending promise callbacks and lets Deno poll its own I/O and
 *   timers; batches that only moved bytes (the command phase's forwarding)
 *   go on synchronously, which saves a turn (about 1.5 µs) per batch;
 * - when a whole tick passed without traffic it stops the tick and waits on a
 *   thread of Deno's blocking pool instead (`nonblocking` FFI), so an idle
 *   proxy costs no CPU and Deno's loop runs freely.
 * Deno's timers may therefore fire up to {@linkcode TICK_MS} late under load.
 *
 * The loop runs while at least one descriptor is registered; the wake-up
 * eventfd ends a pending blocking-pool wait when the last one goes.
 * @module
 */

import { setImmediate } from "node:timers";
import { errno, libc } from "./libc.ts";
import {
  CLOCK_MONOTONIC,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  ENOENT,
  EPOLL_CLOEXEC,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
} from "./constants.ts";

/** `<sys/epoll.h>` */
export const EPOLLIN = 0x001;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;

/**
 * Period of the tick while traffic flows (ms); also the idle delay. Each tick
 * costs a wake-up and a turn: 2 ms cost 0.7–1.5 µs per query at 4–16 threads.
 */
export const TICK_MS = 10;
/**
 * Most batches handled in a row without a turn of Deno's event loop: only a
 * safety net, since ticks and Deno's own descriptors already ask for the
 * turns Deno needs, and a turn under load takes about 50 µs (measured).
 */
export const TURN_EVERY = 1024;
/** Events fetched per `epoll_wait`. */
const MAX_EVENTS = 256;
/** `struct epoll_event` is packed on x86_64: u32 events, u64 data. */
const EVENT_SIZE = 12;

/** Receives the epoll event mask of its descriptor. */
export interface PollHandler {
  onPoll(events: number): void;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

class Poller {
  readonly #epoll: number;
  readonly #wakeFd: number;
  readonly #tickFd: number;
  #ticking = false;
  /** Events other than ticks since the last tick. */
  #activity = 0;
  /** Deno's own epoll instances: readiness there means Deno has work. */
  readonly #foreign = new Set<number>();
  /** Indexed by descriptor: cheaper than a Map on the hot path. */
  readonly #handlers: (PollHandler | undefined)[] = [];
  #registered = 0;
  readonly #control = new Uint8Array(EVENT_SIZE);
  readonly #controlView = new DataView(this.#control.buffer);
  readonly #events = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  readonly #eventsView = new DataView(this.#events.buffer);
  readonly #parked = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  readonly #parkedView = new DataView(this.#parked.buffer);
  #running = false;
  readonly #scratch = new Uint8Array(8);
  #turnRequested = false;
  #stopped: Promise<void> = Promise.resolve();
  /** Called when a handler throws; the loop goes on. */
  onHandlerError: (error: unknown) => void = (error) => console.error(error);

  constructor() {
    const c = libc();
    this.#epoll = c.epoll_create1(EPOLL_CLOEXEC);
    if (this.#epoll < 0) throw new Error(`epoll_create1 failed: errno ${errno()}`);
    this.#wakeFd = c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.#wakeFd < 0) throw new Error(`eventfd failed: errno ${errno()}`);
    this.#ctl(EPOLL_CTL_ADD, this.#wakeFd, EPOLLIN);
    this.#tickFd = c.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (this.#tickFd < 0) throw new Error(`timerfd_create failed: errno ${errno()}`);
    this.#ctl(EPOLL_CTL_ADD, this.#tickFd, EPOLLIN);
    this.#adoptDenoEpolls();
  }

  /**
   * Finds Deno's epoll descriptors without /proc: `epoll_ctl(DEL)` of a
   * descriptor that is not in the set fails with ENOENT on an epoll instance
   * and EINVAL on anything else, and changes nothing either way.
   */
  #adoptDenoEpolls(): void {
    const c = libc();
    for (let fd = 0; fd < 64; fd++) {
      if (fd === this.#epoll) continue;
      if (c.epoll_ctl(fd, EPOLL_CTL_DEL, this.#wakeFd, this.#control) === 0) continue;
      if (errno() !== ENOENT) continue;
      if (this.#ctl(EPOLL_CTL_ADD, fd, EPOLLIN) === 0) this.#foreign.add(fd);
    }
  }

  #ctl(op: number, fd: number, events: number): number {
    this.#controlView.setUint32(0, events, true);
    this.#controlView.setUint32(4, fd, true);
    this.#controlView.setUint32(8, 0, true);
    return libc().epoll_ctl(this.#epoll, op, fd, this.#control);
  }

  /** Starts watching `fd` for `events`; `handler` runs on each readiness. */
  add(fd: number, events: number, handler: PollHandler): void {
    if (this.#ctl(EPOLL_CTL_ADD, fd, events) !== 0) {
      throw new Error(`epoll_ctl(ADD, ${fd}) failed: errno ${errno()}`);
    }
    if (this.#handlers[fd] === undefined) this.#registered++;
    this.#handlers[fd] = handler;
    if (!this.#running) this.#stopped = this.#loop();
  }

  /** Changes the events watched on `fd`. */
  modify(fd: number, events: number): void {
    if (this.#ctl(EPOLL_CTL_MOD, fd, events) !== 0) {
      throw new Error(`epoll_ctl(MOD, ${fd}) failed: errno ${errno()}`);
    }
  }

  /** Stops watching `fd`; call before closing it. */
  remove(fd: number): void {
    if (this.#handlers[fd] === undefined) return;
    this.#handlers[fd] = undefined;
    this.#registered--;
    this.#ctl(EPOLL_CTL_DEL, fd, 0);
    if (this.#registered === 0) this.#wake();
  }

  /**
   * Asks for a turn of Deno's event loop after the current batch: handlers
   * call it when they resolved promises or scheduled callbacks, which must
   * run before the loop blocks in `epoll_wait` again.
   */
  requestTurn(): void {
    this.#turnRequested = true;
  }

  /** Resolves once no descriptor is registered and the loop has stopped. */
  stopped(): Promise<void> {
    return this.#stopped;
  }

  /** Starts (`on`) or stops the periodic tick. */
  #setTicking(on: boolean): void {
    if (this.#ticking === on) return;
    this.#ticking = on;
    const nanos = BigInt(on ? TICK_MS * 1_000_000 : 0);
    // struct itimerspec { it_interval, it_value }, each { tv_sec, tv_nsec }.
    const spec = new BigInt64Array([0n, nanos, 0n, nanos]);
    libc().timerfd_settime(this.#tickFd, 0, new Uint8Array(spec.buffer), null);
  }

  /** A tick: give Deno's timers a turn; stop ticking after a quiet period. */
  #onTick(): void {
    libc().read(this.#tickFd, this.#scratch, 8);
    this.#turnRequested = true;
    if (this.#activity === 0) this.#setTicking(false);
    this.#activity = 0;
  }

  #wake(): void {
    libc().write(this.#wakeFd, new Uint8Array(new BigUint64Array([1n]).buffer), 8);
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#registered > 0) {
        if (!this.#ticking) {
          const count = await libc().epoll_wait_async(this.#epoll, this.#parked, MAX_EVENTS, -1);
          this.#setTicking(true);
          this.#dispatch(this.#parkedView, count);
        }
        if (!this.#turnRequested) this.#runBatches();
        this.#turnRequested = false;
        await turn();
      }
      this.#setTicking(false);
    } finally {
      this.#running = false;
    }
  }

  /**
   * Waits and dispatches until a turn of Deno's event loop is due. The hot
   * loop is a plain function rather than part of the async #loop: resumed
   * after every turn, an async function runs in a lower tier until on-stack
   * replacement catches up.
   */
  #runBatches(): void {
    const c = libc();
    for (let batch = 0; batch < TURN_EVERY; batch++) {
      if (!this.#ticking || this.#registered === 0) return;
      const count = c.epoll_wait(this.#epoll, this.#events, MAX_EVENTS, -1);
      this.#dispatch(this.#eventsView, count);
      if (this.#turnRequested) return;
    }
  }

  /** Runs the handlers of `count` events. */
  #dispatch(view: DataView, count: number): void {
    for (let i = 0; i < count; i++) {
      const fd = view.getUint32(i * EVENT_SIZE + 4, true);
      if (fd === this.#tickFd) {
        this.#onTick();
        continue;
      }
      this.#activity++;
      if (fd === this.#wakeFd) {
        libc().read(this.#wakeFd, this.#scratch, 8);
        continue;
      }
      const handler = this.#handlers[fd];
      if (handler === undefined) {
        // Deno's own epoll has work, or the descriptor was removed in this batch.
        if (this.#foreign.has(fd)) this.#turnRequested = true;
        continue;
      }
      try {
        handler.onPoll(view.getUint32(i * EVENT_SIZE, true));
      } catch (error) {
        this.#turnRequested = true;
        this.onHandlerError(error);
      }
    }
  }
}

let poller: Poller | undefined;

/** The process's poller, created on first use. */
export function thePoller(): Poller {
  return poller ??= new Poller();
}

export type { Poller };
