import { addBusinessMs, type BusinessSpan } from './business-hours.js';

export type SlaTargetKind = 'first_reply' | 'next_reply' | 'resolution';

/** How people read each target's name. */
export const SLA_TARGET_NAMES: Record<SlaTargetKind, string> = { first_reply: 'first reply', next_reply: 'next reply', resolution: 'resolution' };

/** Where an active ticket stands, for its SLA clocks. */
export interface SlaTicketState {
  createdAt: number;
  firstReplyAt: number | null;
  /** The oldest requester message after the last agent reply (a wait in progress), if any. */
  waitingSince: number | null;
}

export interface SlaTargets {
  minutes: Record<SlaTargetKind, number | null>;
  /** Measured on this calendar (business hours), or null for calendar time. */
  spans: BusinessSpan[] | null;
}

export interface RunningTarget {
  target: SlaTargetKind;
  startedAt: number;
  /** 80% of the target has passed: the team is warned once. */
  warnAt: number;
  dueAt: number;
}

/** The clocks running on an active ticket: first reply (until answered), next reply (while a wait is open), resolution. */
export function runningTargets(state: SlaTicketState, targets: SlaTargets): RunningTarget[] {
  const clocks: Array<[SlaTargetKind, number | null]> = [
    ['first_reply', state.firstReplyAt === null ? state.createdAt : null],
    ['next_reply', state.firstReplyAt !== null ? state.waitingSince : null],
    ['resolution', state.createdAt],
  ];
  const running: RunningTarget[] = [];
  for (const [target, startedAt] of clocks) {
    const minutes = targets.minutes[target];
    if (startedAt === null || minutes === null) continue;
    const after = (ms: number) => (targets.spans ? addBusinessMs(targets.spans, startedAt, ms) : startedAt + ms);
    running.push({ target, startedAt, warnAt: after(minutes * 48_000), dueAt: after(minutes * 60_000) });
  }
  return running;
}

/** The target due soonest (what the card shows). */
export const nextDue = (running: RunningTarget[]): RunningTarget | null => running.reduce<RunningTarget | null>((soonest, t) => (!soonest || t.dueAt < soonest.dueAt ? t : soonest), null);
