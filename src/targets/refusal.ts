// A refusal for the person who asked, wherever they asked (a Discord command or button, a dashboard form).

/**
 * A refusal meant for the person who ran the command or sent the form ("there is no feed `x`"): handlers
 * throw it, and the boundary (Discord's interaction boundary, the dashboard's routes) shows its message
 * to that person only; on Discord it counts as refused.
 */
export class CommandError extends Error {
  override name = 'CommandError';
}
