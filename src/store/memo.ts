/**
 * Remembers reads for `ttlMs`. Settings are read for every message but change rarely: a change made through
 * the same store calls `clear()` and is seen at once; one made by another instance within `ttlMs`.
 */
export function createMemo(ttlMs: number) {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
      const value = load();
      entries.set(key, { at: Date.now(), value });
      value.catch(() => entries.delete(key));
      return value;
    },
    clear: () => entries.clear(),
  };
}
