import { renderTemplate } from '../domain/template.js';

/** A snippet left for the agent to fill: written back as `{{name}}`, which the Reply modal refuses to send. */
export const HOLE = /\{\{\s*[\w.]+\s*\}\}/;

/**
 * A suggestion's text for this ticket: its snippets filled from `view`; one without a value stays `{{name}}` in
 * the text (and is listed), so the agent sees what to fill in and nothing is sent with an empty hole. Plain text
 * (the Reply box's): the send path escapes it for Slack.
 */
export function renderSuggestion(source: string, view: Record<string, unknown>): { text: string; missing: string[] } {
  const first = renderTemplate(source, view, (value) => value);
  if (first.ok) return { text: first.text, missing: [] };
  if (!('missing' in first)) return { text: source, missing: [] };
  const withHoles = structuredClone(view);
  for (const name of first.missing) {
    const parts = name.split('.');
    let node = withHoles as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      if (!node[part] || typeof node[part] !== 'object') node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = `{{${name}}}`;
  }
  const second = renderTemplate(source, withHoles, (value) => value);
  return { text: second.ok ? second.text : source, missing: first.missing };
}
