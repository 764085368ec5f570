import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { renderDirectoryListing } from '#reports/index.js';

export const REPOS_PREFIX = '/repos/';

/**
 * Types yum/dnf and browsers expect. `send`'s table maps `.rpm` to RealAudio and knows nothing of
 * `.repo`; everything else (xml, gz, zst, csv, html, json) comes from its table.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.rpm': 'application/x-rpm',
  '.repo': 'text/plain; charset=utf-8',
  '.md5': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Serves `<datadir>/repos/` read-only under `/repos/`, as httpd serves it on DLRN's sites: files
 * with `Range`, `ETag` and `Last-Modified` (@fastify/static over @fastify/send), directory
 * listings, the `current`/`consistent`/promotion links followed. A link is followed only when
 * it stays inside `repos/` (its real path is checked before anything is read: @fastify/static's
 * own check resolves the path, not the links). Read protection applies as to the API: the
 * authentication hook runs before this one.
 */
export async function serveRepos(
  app: NestFastifyApplication,
  fastify: FastifyInstance,
  datadir: string,
): Promise<void> {
  const root = resolve(datadir, 'repos');
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith(REPOS_PREFIX)) return done();
    if (!insideRoot(root, request.url.split('?', 1)[0]!.slice(REPOS_PREFIX.length))) {
      void reply.code(404).send({ message: 'Not Found' });
      return;
    }
    done();
  });
  await app.register(fastifyStatic, {
    root,
    prefix: REPOS_PREFIX,
    index: false,
    redirect: true,
    dotfiles: 'ignore',
    decorateReply: false,
    list: {
      format: 'html',
      render: (dirs, files) => {
        const entry = (e: { name: string; href: string; stats?: { size: number; mtime: Date } }, dir: boolean) => ({
          name: e.name,
          href: e.href,
          size: dir ? null : (e.stats?.size ?? null),
          modified: e.stats?.mtime ?? null,
        });
        // The renderer is not given the request: the directory is the entries' parent.
        const href = dirs[0]?.href ?? files[0]?.href;
        return renderDirectoryListing(
          href === undefined ? null : decodeURI(href.slice(0, href.lastIndexOf('/') + 1)),
          dirs.map((d) => entry(d, true)),
          files.map((f) => entry(f, false)),
        );
      },
    },
    setHeaders: (reply, path) => {
      const dot = path.lastIndexOf('.');
      const type = dot >= 0 ? CONTENT_TYPES[path.slice(dot)] : undefined;
      if (type) void reply.header('content-type', type);
    },
  });
}

/**
 * Whether the URL path (below `/repos/`) names something inside `root` once every link is
 * followed. A path that does not exist (yet) is judged by its longest existing prefix, so a 404
 * comes from the file server and a link out is refused whatever follows it.
 */
function insideRoot(root: string, urlPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return true; // no repository yet: the file server answers 404
  }
  let candidate = join(root, decoded);
  for (;;) {
    const rel = relative(root, candidate);
    if (rel.startsWith('..') || isAbsolute(rel)) return false;
    try {
      const real = realpathSync(candidate);
      const realRel = relative(realRoot, real);
      return !(realRel.startsWith('..') || isAbsolute(realRel));
    } catch {
      if (candidate === root) return true;
      candidate = resolve(candidate, '..');
    }
  }
}
