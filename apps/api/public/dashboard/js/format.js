// Number, time and id formatting shared by the dashboard's panels.

const counts = new Intl.NumberFormat('en-US');

/** 12345 → "12,345". */
export const formatCount = (value) => counts.format(value);

/** Milliseconds with the precision that matters at their size: "2.41 ms", "18.5 ms", "240 ms". */
export const formatMs = (ms) => {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${counts.format(Math.round(ms))} ms`;
};

/** How long ago, coarsely: "4 s", "12 min", "3 h", "2 d". */
export const formatAge = (ms) => {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
};

/** A wall-clock time in the viewer's locale: "14:05" or "2:05 PM", with seconds if asked. */
export const formatClock = (epochMs, withSeconds = false) =>
  new Date(epochMs).toLocaleTimeString([], {
    hour: 'numeric',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  });

/**
 * The last 8 hex digits of a UUIDv7: its leading digits are the timestamp, alike for batches made
 * moments apart, while the tail is random and tells them apart at a glance.
 */
export const shortId = (id) => `…${id.replace(/-/g, '').slice(-8)}`;
