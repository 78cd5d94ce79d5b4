/** The API did not answer at all (nothing listens, or the connection failed). */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';

  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`Cannot reach the Sluice API at ${baseUrl} (${reason}). Is \`npm start\` running?`);
  }
}
