/**
 * Workflow ids come from the source event, so a poller or webhook that sees the same comment twice
 * (after a crash, or both at once) starts nothing twice: Temporal refuses a second start of the id.
 */
export function commentRequestId(repo: string, commentId: number): string {
  return `bench:${repo.toLowerCase()}:comment:${commentId}`;
}

export function manualRequestId(repo: string, nonce: string): string {
  return `bench:${repo.toLowerCase()}:manual:${nonce}`;
}

/** The hidden marker that finds a request's own comment again, whatever happened in between. */
export function commentMarker(workflowId: string): string {
  return `<!-- benchbot:${workflowId} -->`;
}
