/**
 * Serialises reloads: a request during a running reload queues exactly one
 * more, further requests meanwhile are merged into it (as the original).
 * @module
 */

/** Runs `task` on request, never concurrently, coalescing requests made while it runs. */
export class ReloadQueue {
  #running = false;
  #again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Asks for one run; returns the promise of the run that will serve it. */
  request(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#loop();
  }

  /** True while a reload runs. */
  get running(): boolean {
    return this.#running;
  }

  async #loop(): Promise<void> {
    this.#running = true;
    do {
      this.#again = false;
      try {
        await this.task();
      } catch (error) {
        this.onError(error as Error);
      }
    } while (this.#again);
    this.#running = false;
  }
}
