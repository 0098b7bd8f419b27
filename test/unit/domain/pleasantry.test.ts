import { describe, expect, it } from 'vitest';
import { isPleasantry } from '../../../src/domain/pleasantry.js';

describe('pleasantries open no ticket', () => {
  it.each(['thanks', 'Thanks!', 'thank you so much 🙏', 'hello', 'Hi there :wave:', 'ok 👍', 'OK, thanks', 'cheers', 'great, thanks!!', '👍', ':+1:', `<@U123> thanks`])(
    '%s is a pleasantry',
    (text) => expect(isPleasantry(text)).toBe(true),
  );
  it.each(['A', 'you', 'so much', 'thanks, but it is still broken', 'hello, my order 1234 never arrived', 'ok so the printer is jammed', 'no', 'Help!', 'refund please'])(
    '%s is a request',
    (text) => expect(isPleasantry(text)).toBe(false),
  );
});
