/**
 * Temporary directories that remove themselves: `await using dir = await
 * tempDir("x")` deletes the tree when the scope ends, also when a test throws.
 * @module
 */

/** A temporary directory; disposing it removes it recursively. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/** Creates a fresh directory under the system temp dir. */
export async function tempDir(prefix: string, mode?: number): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: `myproxy-${prefix}-` });
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
