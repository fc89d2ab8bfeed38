// A counting semaphore with a bounded wait queue (e.g. ffmpeg jobs run `size` at a time); a caller
// that would be queued behind `queueLimit` others is refused at once (503 upstream).

type Release = () => void;

export interface Semaphore {
  /** A permit (maybe after waiting), or null at once when the queue is full. */
  tryAcquire(): Promise<Release> | null;
  /** True when a new caller would be refused right now. */
  isSaturated(): boolean;
  stats(): { running: number; waiting: number };
}

export function createSemaphore(size: number, queueLimit: number): Semaphore {
  const waiting: Array<(release: Release) => void> = [];
  let running = 0;

  function permit(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next === undefined) running--;
      else next(permit()); // the slot passes straight to the next caller
    };
  }

  const isSaturated = () => running >= size && waiting.length >= queueLimit;

  return {
    tryAcquire() {
      if (running < size) {
        running++;
        return Promise.resolve(permit());
      }
      if (isSaturated()) return null;
      return new Promise((resolve) => waiting.push(resolve));
    },
    isSaturated,
    stats: () => ({ running, waiting: waiting.length }),
  };
}
