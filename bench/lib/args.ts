/** A CLI flag that must be a positive (or, with allowZero, non-negative) integer; exits 2 with the usage otherwise. */
export function integerFlag(usage: string) {
  return (name: string, value: string | undefined, allowZero = false): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
      console.error(`--${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}\n${usage}`);
      process.exit(2);
    }
    return n;
  };
}
