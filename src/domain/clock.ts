/** The one clock. Use cases take it as a dependency; tests pass a fixed one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
