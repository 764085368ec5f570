/** The central service's answer to one import request. */
export interface CentralAnswer {
  readonly status: number;
  /** Its `message` (DLRN's error shape), or the start of its body, bounded. */
  readonly message: string;
}

/** Bytes of an answer's body kept for the record: enough for DLRN's messages, bounded. */
const MAX_MESSAGE = 500;

/**
 * `POST <central>/api/remote/import` with Basic auth, as `dlrnapi remote-import` sends it. Node's
 * fetch is enough here: one JSON request to an operator-configured URL (never a URL from a
 * build), with a timeout. Rejects only when the central service could not be reached.
 */
export async function askCentralToImport(
  central: string,
  credentials: { readonly username: string; readonly password: string },
  repoUrl: string,
  timeoutMs: number,
): Promise<CentralAnswer> {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const response = await fetch(`${central.replace(/\/+$/, '')}/api/remote/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
    body: JSON.stringify({ repo_url: repoUrl }),
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = (await response.text()).slice(0, 64 * 1024);
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON (a proxy's error page): keep the start of the text.
  }
  return { status: response.status, message: message.slice(0, MAX_MESSAGE) };
}
