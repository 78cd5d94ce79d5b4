const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is written the way PostgreSQL's `uuid` type prints one. Checked before a
 * lookup so that a malformed id from a URL is simply "not found" rather than a database error.
 */
export const isUuid = (value: string): boolean => UUID.test(value);
