// Small internal helpers shared by the modules (not re-exported from the package root except
// where index.ts says so).

/** A 0x-prefixed hex string. */
export type Hex = `0x${string}`;

/**
 * Race `promise` against a timer: rejects with `Error("timed out after <ms> ms: <what>")` when
 * the timer fires first. The timer is cleared either way.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    }),
  ]);
}

/** A bounded wait that ran out; `what` names what was waited for. */
export class TimeoutError extends Error {
  /** What was waited for. */
  readonly what: string;
  /** The bound, in milliseconds. */
  readonly ms: number;
  /** @param what what was waited for; @param ms the bound in milliseconds */
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms: ${what}`);
    this.name = 'TimeoutError';
    this.what = what;
    this.ms = ms;
  }
}

/** `snake_case` (or `kebab-case`) to `lowerCamel`. */
export function camel(s: string): string {
  return s.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** RPC params with the optional block hash `at` appended when given. */
export function withAt(params: unknown[], at?: string | null): unknown[] {
  return at === undefined || at === null ? params : [...params, at];
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
