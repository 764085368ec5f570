/** What a push to the mirror (`rsyncdest`) came to: copied, or the reason it was not. */
export type ReplicationResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * Copies published repositories to another host (DLRN's `rsyncdest`). A build counts as
 * published only once its repository reached the mirror: `syncRepo` runs before the build's
 * result is appended, and its failure makes the build FAILED. The pointers follow later
 * (`syncPointers`), after they moved here; a failure there is only reported, as the next
 * build's push repairs it.
 */
export abstract class RepoReplicator {
  /** Where the copies go, for messages (`user@host:path`). */
  abstract readonly destination: string;
  /** The hashed directory (relative to `<datadir>/repos`) and the report files beside it. */
  abstract syncRepo(repoDir: string): Promise<ReplicationResult>;
  /** `current` and `consistent` (of `component` with components on, and the top-level ones). */
  abstract syncPointers(component: string | null): Promise<ReplicationResult>;
}
