import Mustache from 'mustache';

// Reply templates: mustache source written by agents, rendered with snippet values (customer.first_name,
// order.number …). Values are data: they are escaped by the caller's rule and never parsed as template source.

type Token = [string, string, number, number, Token[]?, number?];

export type TemplateCheck = { ok: true; snippets: string[] } | { ok: false; error: string };

/** Whether the source compiles, and the snippets it uses (in order of first use). */
export function checkTemplate(source: string): TemplateCheck {
  try {
    const snippets: string[] = [];
    walk(Mustache.parse(source) as Token[], (name) => {
      if (!snippets.includes(name)) snippets.push(name);
    });
    return { ok: true, snippets };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function walk(tokens: Token[], onName: (name: string, inSection: boolean) => void, inSection = false): void {
  for (const [type, value, , , children] of tokens) {
    if (type === 'name' || type === '&') onName(value, inSection);
    if ((type === '#' || type === '^') && children) walk(children, onName, true);
  }
}

/** A dotted path ("order.number") in a nested view. */
function lookup(view: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), view);
}

const hasValue = (value: unknown) => value !== undefined && value !== null && String(value).trim() !== '';

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] } | { ok: false; error: string };

/**
 * Renders a template. Every snippet used outside a section must have a value, or nothing is rendered and the
 * missing ones are named (a reply is never sent with an empty hole). Values go through `escape` whichever way
 * they are written ({{x}} or {{{x}}}), so a template cannot be made to pass raw customer text through.
 */
export function renderTemplate(source: string, view: Record<string, unknown>, escape: (value: string) => string): RenderResult {
  const check = checkTemplate(source);
  if (!check.ok) return check;
  const missing: string[] = [];
  walk(Mustache.parse(source) as Token[], (name, inSection) => {
    if (!inSection && !hasValue(lookup(view, name)) && !missing.includes(name)) missing.push(name);
  });
  if (missing.length > 0) return { ok: false, missing };
  const escapeAll = (node: unknown): unknown =>
    typeof node === 'string' ? escape(node) : node && typeof node === 'object' ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, escapeAll(v)])) : node;
  return { ok: true, text: Mustache.render(source, escapeAll(view), {}, { escape: (value: string) => value }) };
}

/**
 * Ticket fields found in a customer's text by per-channel patterns (field -> case-insensitive regular
 * expression): the first capture group when there is one, else the whole match. Bad patterns match nothing.
 */
export function extractFields(text: string, patterns: Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [field, pattern] of Object.entries(patterns)) {
    let match: RegExpExecArray | null;
    try {
      match = new RegExp(pattern, 'i').exec(text);
    } catch {
      continue;
    }
    const value = (match?.[1] ?? match?.[0])?.trim();
    if (value) found[field] = value.slice(0, 500);
  }
  return found;
}

/** "order.number" = "1234" pairs -> { order: { number: "1234" } }. */
export function nestFields(fields: Record<string, string>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = view;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return view;
}
