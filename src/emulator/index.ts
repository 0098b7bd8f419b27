/** Local Slack emulator: Web API server + workspace state + signed-request driver. */
export { SlackEmulator } from './slack-emulator.js';
export { SlackDriver } from './slack-driver.js';
export type { UserSaysOptions, EventResult, InteractionResult } from './slack-driver.js';
export type { EmuUser, EmuChannel, EmuMessage, EmuEphemeral, EmuCall, EmuOpenView, EmuReaction, EmuUploadedFile, SlackFile, FaultSpec, RateLimitOptions, RateLimitStats, SlackEmulatorOptions } from './types.js';
export { slackTs, TsClock } from './slack-ts.js';
export { validateBlocks, validateView } from './block-kit-validator.js';
export type { Surface, ViewValidation } from './block-kit-validator.js';
export { signatureHeaders } from './http-util.js';
export { richTextBlocks } from './payloads.js';
export { manifestBotScopes, MANIFEST_PATH } from './app-manifest.js';
export { METHOD_SCOPES, missingScopes } from './method-scopes.js';
export type { ConversationKind, MethodScopes, Requirement } from './method-scopes.js';
