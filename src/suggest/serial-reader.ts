/**
 * One read at a time of what was written since the last: a caller arriving during a read waits for the next one
 * (which sees what was written meanwhile), shared with everyone who arrives before it starts. `onFirst` is told
 * when the first read (the whole history) is done, with how long it took.
 */
export function createSerialReader(read: () => Promise<void>, onFirst?: (seconds: number) => void) {
  let loading: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let loaded = false;

  function catchUp(): Promise<void> {
    if (loading) {
      queued ??= loading.then(() => {
        queued = null;
        return catchUp();
      });
      return queued;
    }
    const started = Date.now();
    loading = read().finally(() => {
      loading = null;
      if (!loaded) onFirst?.((Date.now() - started) / 1000);
      loaded = true;
    });
    return loading;
  }

  return {
    catchUp,
    /** Whether the first read has ended (the history is learned, or could not be read). */
    loaded: () => loaded,
    /**
     * Catches up with what was written since the last read; until the whole history has been read once, waits for
     * it at most `waitMs` (the rest loads in the background). Read errors go to `onError`, never thrown: what is
     * learned so far still answers.
     */
    async ready(waitMs: number, onError: (err: unknown) => void): Promise<void> {
      const read = catchUp().catch(onError);
      if (loaded) return read;
      await Promise.race([read, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    },
  };
}
