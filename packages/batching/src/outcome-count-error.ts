/**
 * Every item of a group is rejected with this when `process` answers with a number of outcomes
 * other than the group's size: pairing outcomes with items by position would then be a guess.
 */
export class OutcomeCountError extends Error {
  /** The key of the group whose outcomes did not line up. */
  readonly key: string;
  /** How many items the group held. */
  readonly expected: number;
  /** How many outcomes came back (`undefined` when the answer was not an array). */
  readonly received: number | undefined;

  constructor(key: string, expected: number, received: number | undefined) {
    super(
      received === undefined
        ? `process must resolve with an array of ${expected} outcomes for group "${key}", but resolved with no array`
        : `process returned ${received} outcomes for group "${key}" of ${expected} items: expected one outcome per item`,
    );
    this.name = 'OutcomeCountError';
    this.key = key;
    this.expected = expected;
    this.received = received;
  }
}
