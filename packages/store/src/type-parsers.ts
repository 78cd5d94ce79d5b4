import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

const INT8_OID = 20;
const NUMERIC_OID = 1_700;

const toNumber = (text: string): number => Number(text);

/**
 * node-postgres returns `bigint` and `numeric` as strings, because they can hold more than a
 * JavaScript number. Here they only ever come from `count()`, `sum()` and `avg()` over counters
 * that stay far below 2^53, so we read them as numbers: a stats response then serialises as
 * plain JSON numbers instead of strings. The parsers are set on our pools only, never on
 * node-postgres's process-wide registry, so other code in the process is unaffected.
 */
export const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary'
      ? toNumber
      : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
