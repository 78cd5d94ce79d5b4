/**
 * A failure `npm run image` explains in one message and exits 1 on, without a stack trace: a
 * missing tool, a failed build, a check that found the image wrong.
 */
export class ImageToolError extends Error {
  override readonly name = 'ImageToolError';
}
