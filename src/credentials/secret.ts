import { inspect } from 'node:util';

// A secret value that prints as [redacted] everywhere it could be printed by accident: String(),
// template literals, JSON.stringify (so pino and Temporal payloads), util.inspect and console.log.
// The value is in an ES private field, which no enumeration, spread or serialiser can see; the
// one way to read it is reveal(), which makes every real use easy to find.

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself: pass it straight to the library that needs it, never into a message. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
