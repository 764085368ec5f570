import type { FastifyReply, FastifyRequest } from 'fastify';

/** Longest URL kept in a log line: a hostile client must not make lines of megabytes. */
const MAX_LOGGED_URL = 2048;

/** Query parameters whose values never reach the log (tokens in webhook URLs, and the like). */
const SECRET_PARAMETER = /token|secret|pass|key|sig|auth|cred|session/i;

/**
 * The URL as it is logged: the path as sent, the query with the value of every parameter whose
 * name looks secret replaced by `***`, cut at MAX_LOGGED_URL characters. Headers (Authorization,
 * cookies) and bodies (passwords) are never logged.
 */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  let shown = path;
  if (at >= 0) {
    const query = url
      .slice(at + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        let decoded = name;
        try {
          decoded = decodeURIComponent(name.replaceAll('+', ' '));
        } catch {
          // A malformed escape: judge the name as sent.
        }
        return eq >= 0 && SECRET_PARAMETER.test(decoded) ? `${name}=***` : pair;
      })
      .join('&');
    shown = `${path}?${query}`;
  }
  return shown.length > MAX_LOGGED_URL ? `${shown.slice(0, MAX_LOGGED_URL)}…` : shown;
}

/** One access-log line's fields: method, URL, status, duration, client address, user. */
export function accessLogFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const user = (request as FastifyRequest & { dlrnUser?: string }).dlrnUser;
  return {
    kind: 'access',
    method: request.method,
    url: loggedUrl(request.url),
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 10) / 10,
    remote: request.ip,
    ...(user === undefined ? {} : { user }),
  };
}
