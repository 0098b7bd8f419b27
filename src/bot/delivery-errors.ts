/** A delivery that can never succeed as recorded (not a Slack error): given up at once. */
export class PermanentDeliveryError extends Error {}
