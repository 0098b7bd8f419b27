/** Slack's message `ts` ("1700000000.000100", seconds) as epoch milliseconds: the message's real time. */
export const tsToMillis = (ts: string): number => Math.round(Number.parseFloat(ts) * 1000);
