import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { checkTemplate } from '../domain/template.js';
import type { Template } from '../store/template-store.js';

// Templates as files, so a team can keep them in git: one Markdown file per template with YAML front matter
// (`name:`), or a YAML file holding a list of `{ name, body }`.

export interface TemplateFile {
  name: string;
  body: string;
  source: string;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Reads every template in a file or a folder (.md, .yaml, .yml); returns them, or every problem found. */
export function readTemplateFiles(target: string): { templates: TemplateFile[]; problems: string[] } {
  const files = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter((f) => /\.(md|ya?ml)$/i.test(f)).sort().map((f) => path.join(target, f))
    : [target];
  const templates: TemplateFile[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      templates.push(...parseFile(file, fs.readFileSync(file, 'utf8')));
    } catch (err) {
      problems.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const seen = new Map<string, string>();
  for (const t of templates) {
    if (!NAME.test(t.name)) problems.push(`${t.source}: "${t.name}" is not a template name (letters, digits, - and _)`);
    const check = checkTemplate(t.body);
    if (!check.ok) problems.push(`${t.source}: template "${t.name}" does not compile: ${check.error}`);
    if (seen.has(t.name)) problems.push(`${t.source}: template "${t.name}" is also defined in ${seen.get(t.name)}`);
    seen.set(t.name, t.source);
  }
  return { templates, problems };
}

function parseFile(file: string, text: string): TemplateFile[] {
  if (/\.md$/i.test(file)) {
    const match = FRONT_MATTER.exec(text);
    if (!match) throw new Error('expected front matter (---\\nname: …\\n---) before the template text');
    const meta = (YAML.parse(match[1]!) ?? {}) as { name?: unknown };
    const name = typeof meta.name === 'string' ? meta.name : path.basename(file, path.extname(file));
    return [{ name: name.toLowerCase(), body: match[2]!.trim(), source: file }];
  }
  const doc = YAML.parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { templates?: unknown })?.templates;
  if (!Array.isArray(list)) throw new Error('expected a list of { name, body } (or templates: [...])');
  return list.map((entry, i) => {
    const { name, body } = (entry ?? {}) as { name?: unknown; body?: unknown };
    if (typeof name !== 'string' || typeof body !== 'string') throw new Error(`entry ${i + 1} needs a name and a body`);
    return { name: name.toLowerCase(), body: body.trim(), source: `${file}#${i + 1}` };
  });
}

/** Writes one Markdown file per template into a folder; returns the paths written. */
export function writeTemplateFiles(folder: string, templates: Template[]): string[] {
  fs.mkdirSync(folder, { recursive: true });
  return templates.map((t) => {
    const file = path.join(folder, `${t.name}.md`);
    fs.writeFileSync(file, `---\n${YAML.stringify({ name: t.name }).trim()}\n---\n${t.body}\n`);
    return file;
  });
}
