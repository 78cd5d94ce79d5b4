/** How many hash slots a Redis Cluster divides its keys into; a key lives in slot 0 to 16383. */
export const SLOT_COUNT = 16_384;

/** CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection), a byte at a time. */
const CRC16_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

const encoder = new TextEncoder();

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0)) & 0xffff;
  return crc;
};

/**
 * The part of `key` Redis hashes: what lies between the first `{` and the first `}` after it, when
 * that is not empty; otherwise the whole key. Searching the string rather than its UTF-8 bytes
 * finds the same braces, since neither byte occurs inside a multi-byte UTF-8 sequence.
 */
const hashTagOf = (key: string): string => {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

/**
 * The hash slot Redis Cluster stores `key` in, as `CLUSTER KEYSLOT` answers: keys that share a
 * hash tag (`{queue-3}:wait`, `{queue-3}:active`) share a slot, which is what lets one Lua script
 * touch them all. The key is hashed as the UTF-8 bytes a Redis client sends for it (a lone
 * surrogate becomes U+FFFD, as Node's encoders make it).
 *
 * @example
 * keySlot('123456789'); // 12739 (0x31C3, the CRC16-XMODEM check value)
 * keySlot('{user1000}.following') === keySlot('{user1000}.followers'); // true
 */
export const keySlot = (key: string): number => crc16(encoder.encode(hashTagOf(key))) & (SLOT_COUNT - 1);
