/**
 * Cuts text to at most `max` characters as Slack and JavaScript count them (UTF-16 code units: an emoji counts
 * two, so a cut that counted code points could still be refused with invalid_blocks), never splitting a surrogate
 * pair or an escaped entity such as &amp;, and says visibly how much was left out. Short limits (titles, labels)
 * get a bare ellipsis, since the full marker would not fit. The part left out is only counted, never copied.
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
  return text.slice(0, keep) + marker(codePointsFrom(text, keep));
}

/** Code points in text[from…] (a surrogate pair is one), counted without building an array of 150,000 strings. */
function codePointsFrom(text: string, from: number): number {
  let count = text.length - from;
  for (let i = from; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}
