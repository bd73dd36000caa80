/**
 * Follows MySQL packet framing in the backend→client stream without holding
 * any byte back: it only notes sequence ids, whether the stream stands at a
 * packet boundary, and (on request) the first payload byte of the next packet
 * that starts a response, so the proxy can see an OK/ERR it waits for.
 * @module
 */

/** Stateful tracker; one per connection. */
export class FrameTracker {
  #remaining = 0;
  #headerFill = 0;
  #length = 0;
  #peek: ((firstByte: number) => void) | null = null;
  #peekArmed = false;
  /** Sequence id of the last packet header seen. */
  lastSequenceId = 0;

  /** True when no packet is partially through. */
  get atBoundary(): boolean {
    return this.#remaining === 0 && this.#headerFill === 0 && !this.#peekArmed;
  }

  /**
   * Calls `observer` with the first payload byte of the next packet that
   * starts (an empty packet reports -1).
   */
  peekNextPacket(observer: (firstByte: number) => void): void {
    this.#peek = observer;
  }

  /** Advances over one chunk that is forwarded verbatim. */
  push(chunk: Uint8Array, end = chunk.length): void {
    let pos = 0;
    while (pos < end) {
      if (this.#peekArmed) {
        this.#peekArmed = false;
        this.#firePeek(chunk[pos]);
      }
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, end - pos);
        pos += take;
        this.#remaining -= take;
        continue;
      }
      const byte = chunk[pos++];
      switch (this.#headerFill++) {
        case 0:
          this.#length = byte;
          break;
        case 1:
          this.#length |= byte << 8;
          break;
        case 2:
          this.#length |= byte << 16;
          break;
        default:
          this.lastSequenceId = byte;
          this.#headerFill = 0;
          this.#remaining = this.#length;
          if (this.#peek) {
            if (this.#length === 0) this.#firePeek(-1);
            else this.#peekArmed = true;
          }
      }
    }
  }

  #firePeek(firstByte: number): void {
    const observer = this.#peek;
    this.#peek = null;
    observer?.(firstByte);
  }
}
