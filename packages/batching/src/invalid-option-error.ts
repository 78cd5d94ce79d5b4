/**
 * Thrown at construction when an option is out of range, so a bad `BATCH_SIZE` stops a process
 * at start with the field's name instead of misbehaving later.
 */
export class InvalidOptionError extends Error {
  /** The option's name as the caller spells it, e.g. `size` or `workerOptions.removeOnComplete`. */
  readonly option: string;

  constructor(option: string, expected: string, received: unknown) {
    super(`Invalid option "${option}": expected ${expected}, received ${describe(received)}`);
    this.name = 'InvalidOptionError';
    this.option = option;
  }
}

const describe = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
