/**
 * Cuts text to at most `max` characters (by code point, never splitting a surrogate pair or an escaped
 * entity such as &amp;) and says visibly how much was left out. Short limits (titles, labels) get a bare
 * ellipsis, since the full marker would not fit.
 */
export function truncateText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const long = (left: number) => `… [truncated: ${left} more characters]`;
  const marker = (left: number) => (max >= 80 ? long(left) : '…');
  let keep = max - Array.from(marker(chars.length)).length;
  const brokenEntity = /&[a-z]{0,4}$/.exec(chars.slice(0, keep).join(''));
  if (brokenEntity) keep -= Array.from(brokenEntity[0]).length;
  return chars.slice(0, keep).join('') + marker(chars.length - keep);
}
