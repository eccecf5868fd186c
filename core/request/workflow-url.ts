/** The request's page in the Temporal Web UI; null when no UI is served. */
export function workflowUrl(uiUrl: string | null, namespace: string, workflowId: string): string | null {
  return uiUrl === null
    ? null
    : `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
