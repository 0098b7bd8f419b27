// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks). We truncate visibly, never fail a post.
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionField: 2000,
  headerText: 150,
  buttonText: 75,
  modalTitle: 24,
  messageText: 4000,
} as const;
