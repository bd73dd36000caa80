/**
 * Temporary directories that remove themselves: `await using dir = await
 * tempDir("x")` deletes the tree when the scope ends, also when a test throws.
 * @module
 */

// Directories made here and not yet removed, for removeAllTempDirs().
const live = new Set<string>();

/** A temporary directory; disposing it removes it recursively. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/** Creates a fresh directory under the system temp dir. */
export async function tempDir(prefix: string, mode?: number): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: `myproxy-${prefix}-` });
  live.add(path);
  if (mode !== undefined) await Deno.chmod(path, mode);
  return {
    path,
    [Symbol.asyncDispose]: () => removeTree(path),
  };
}

/** Removes `path` recursively; a missing path is not an error. */
export async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  live.delete(path);
}

/**
 * Removes every directory {@linkcode tempDir} made that still exists, for
 * signal handlers that exit while a server is still starting up (and so is
 * not yet registered anywhere that would stop it).
 */
export async function removeAllTempDirs(): Promise<void> {
  await Promise.all([...live].map(removeTree));
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
