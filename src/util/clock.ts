/** The only source of time for services; protocol functions take `nowSec` as an argument. */
export interface Clock {
  nowMs(): number;
  nowSec(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowSec: () => Math.floor(Date.now() / 1000),
};
