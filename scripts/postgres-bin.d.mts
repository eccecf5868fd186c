export const DEBIAN_POSTGRES_ROOT: string;
export function findPostgresBin(where?: { debianRoot?: string; path?: string }): string | null;
