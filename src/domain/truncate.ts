/**
 * Cuts text to at most `max` characters as Slack and JavaScript count them (UTF-16 code units: an emoji counts
 * two, so a cut that counted code points could still be refused with invalid_blocks), never splitting a surrogate
 * pair or an escaped entity such as &amp;, and says visibly how much was left out. Short limits (titles, labels)
 * get a bare ellipsis, since the full marker would not fit. Only the kept part is walked: a 150,000-character
 * mail costs no more than a short one.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = (left: number) => (max >= 80 ? `… [truncated: ${left} more characters]` : '…');
  let keep = Math.max(0, max - marker(text.length).length);
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1; // the first half of a surrogate pair
  const brokenEntity = /&[a-z]{0,4}$/.exec(text.slice(Math.max(0, keep - 5), keep));
  if (brokenEntity) keep -= brokenEntity[0].length;
  // People count what was left out in characters they see (code points), not code units.
  return text.slice(0, keep) + marker(Array.from(text.slice(keep)).length);
}
