/** An answer DLRN gives with a status and `{"message": …}` (401s are plain text, see the auth hook). */
export class DlrnHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DlrnHttpError';
  }
}
