/** Slack timestamps: Unix seconds with exactly 6 decimals ("1610261659.001400"). */
export function slackTs(date: Date | number): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  const micros = Math.round(ms * 1000);
  return microsToTs(micros);
}

export function microsToTs(micros: number): string {
  const sec = Math.floor(micros / 1_000_000);
  const frac = micros - sec * 1_000_000;
  return `${sec}.${String(frac).padStart(6, '0')}`;
}

export function tsToMicros(ts: string): number {
  const [sec, frac = ''] = ts.split('.');
  return Number(sec) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/** Hands out unique, strictly increasing timestamps (Slack ts values double as message ids within a channel). */
export class TsClock {
  private last = 0;
  next(): string {
    const now = Date.now() * 1000;
    this.last = Math.max(now, this.last + 1);
    return microsToTs(this.last);
  }
}

/** Random id with Slack's look: prefix + upper-case alphanumerics (e.g. Ev08ABCDEF12). */
export function slackId(prefix: string, length = 10): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let out = prefix;
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
