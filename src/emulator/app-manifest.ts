/**
 * The app as Slack installs it: slack-app-manifest.yaml at the repository root. The emulator's bot token carries
 * exactly the manifest's bot scopes, so a Web API call outside the manifest fails in tests (missing_scope) and not
 * in a customer's workspace.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const MANIFEST_PATH = fileURLToPath(new URL('../../slack-app-manifest.yaml', import.meta.url));

let cached: readonly string[] | undefined;

/** `oauth_config.scopes.bot` of the manifest (read once). */
export function manifestBotScopes(): readonly string[] {
  if (cached) return cached;
  const manifest = YAML.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = manifest?.oauth_config?.scopes?.bot;
  if (!Array.isArray(bot) || !bot.every((s) => typeof s === 'string' && s !== '')) {
    throw new Error(`${MANIFEST_PATH}: oauth_config.scopes.bot must be a list of scope names`);
  }
  cached = Object.freeze([...bot]);
  return cached;
}
