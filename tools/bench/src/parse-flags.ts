import { type ParseArgsConfig, parseArgs } from 'node:util';

type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** What `parseArgs` gives for `Spec` under the strict settings below. */
export type Flags<Spec extends FlagSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Spec; strict: true; allowPositionals: false }>
>['values'];
import { OptionError } from './option-error.js';

/**
 * The flags of a bench, chaos or scale command line, parsed strictly (no unknown flags, no
 * positionals); anything `parseArgs` refuses becomes an `OptionError` that points at `--help`.
 *
 * @example
 * const values = parseFlags(['--quick'], { quick: { type: 'boolean', default: false } }); // { quick: true }
 */
export const parseFlags = <const Spec extends FlagSpec>(argv: ReadonlyArray<string>, spec: Spec): Flags<Spec> => {
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new OptionError(undefined, `${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
};
