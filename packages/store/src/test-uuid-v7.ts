import { randomBytes } from 'node:crypto';

/**
 * A UUIDv7 for tests (RFC 9562: 48-bit Unix ms, version 7, variant 10, random rest). Pass
 * increasing `ms` values when a test needs ids in a known order: ids made in the same
 * millisecond sort randomly among themselves.
 */
export const uuidv7 = (ms: number = Date.now()): string => {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt8(0x70 | (bytes.readUInt8(6) & 0x0f), 6);
  bytes.writeUInt8(0x80 | (bytes.readUInt8(8) & 0x3f), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
