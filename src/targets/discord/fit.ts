import type { APIEmbed } from 'discord.js';
import { redactUrlSecrets } from '../../ops/redact.js';
import { cutText, cutToFit, ELLIPSIS } from '../../text/cut.js';

/**
 * Discord's documented message limits, in characters (counted here as UTF-16 code units, which is
 * never fewer than Discord's count): https://discord.com/developers/docs/resources/message#create-message
 * and #embed-object-embed-limits. `total` is the sum over all embeds of a message.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  total: 6000,
  /** A thread's (or forum post's) name: https://discord.com/developers/docs/resources/channel#start-thread-from-message */
  threadName: 100,
  /** Not in the limits table, but Discord refuses longer embed URLs (discord/discord-api-docs PR #6531). */
  url: 2048,
} as const;

/** An odd run of backslashes before the ellipsis: a markdown escape cut from what it escaped. */
const DANGLING_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\…$/;

/**
 * Cuts a text that may hold markdown escapes to at most `max` UTF-16 code units, "…" included,
 * between whole graphemes and at a word where it can (src/text/cut.ts), never right after an escape
 * backslash. Returns `text` itself when it fits; '' when not even one grapheme and "…" fit.
 */
export function cutMarkdown(text: string, max: number): string {
  return cutToFit(text, (candidate) => candidate.length <= max && !DANGLING_ESCAPE.test(candidate));
}

/** The characters of an embed that count towards the 6,000 total. */
function embedSize(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  // A cut URL would point elsewhere: a URL that is too long is left out.
  if (embed.url !== undefined && embed.url.length > DISCORD_LIMITS.url) delete fitted.url;
  if (embed.image && embed.image.url.length > DISCORD_LIMITS.url) delete fitted.image;
  if (embed.title !== undefined) fitted.title = cutMarkdown(embed.title, DISCORD_LIMITS.title);
  if (embed.description !== undefined) fitted.description = cutMarkdown(embed.description, DISCORD_LIMITS.description);
  if (embed.footer) fitted.footer = { ...embed.footer, text: cutMarkdown(embed.footer.text, DISCORD_LIMITS.footerText) };
  if (embed.author) fitted.author = { ...embed.author, name: cutMarkdown(embed.author.name, DISCORD_LIMITS.authorName) };
  if (embed.fields) {
    fitted.fields = embed.fields
      .slice(0, DISCORD_LIMITS.fields)
      .map((field) => ({ ...field, name: cutMarkdown(field.name, DISCORD_LIMITS.fieldName), value: cutMarkdown(field.value, DISCORD_LIMITS.fieldValue) }));
  }
  return fitted;
}

/**
 * Shrinks embeds whose sum exceeds the 6,000 total: the last field values and descriptions are
 * cut first (the top of a message says the most), then whole fields and embeds go from the end.
 */
function fitTotal(embeds: APIEmbed[]): APIEmbed[] {
  let excess = embeds.reduce((sum, embed) => sum + embedSize(embed), 0) - DISCORD_LIMITS.total;
  for (let e = embeds.length - 1; e >= 0 && excess > 0; e--) {
    const embed = embeds[e]!;
    const fields = embed.fields ?? [];
    for (let f = fields.length - 1; f >= 0 && excess > 0; f--) {
      const value = fields[f]!.value;
      // A field value must not be empty: at least the ellipsis stays.
      const next = cutMarkdown(value, Math.max(ELLIPSIS.length, value.length - excess)) || ELLIPSIS;
      excess -= value.length - next.length;
      fields[f] = { ...fields[f]!, value: next };
    }
    if (excess > 0 && embed.description) {
      const next = cutMarkdown(embed.description, Math.max(0, embed.description.length - excess));
      excess -= embed.description.length - next.length;
      if (next) embed.description = next;
      else delete embed.description;
    }
  }
  while (excess > 0 && embeds.length > 0) {
    const last = embeds[embeds.length - 1]!;
    const removed = last.fields?.length ? last.fields.pop()! : null;
    if (removed) excess -= removed.name.length + removed.value.length;
    else excess -= embedSize(embeds.pop()!);
  }
  return embeds;
}

/**
 * A message cut to Discord's limits (content, each embed part, 10 embeds, 25 fields, the 6,000
 * total), so a long echoed URL or title never turns an answer into a 400 from Discord.
 * Takes and returns the same shape; other keys are passed through unchanged.
 */
export function fitMessage<M extends { content?: string; embeds?: APIEmbed[] }>(message: M): M {
  const fitted = { ...message };
  if (message.content !== undefined) fitted.content = cutMarkdown(message.content, DISCORD_LIMITS.content);
  if (message.embeds) fitted.embeds = fitTotal(message.embeds.slice(0, DISCORD_LIMITS.embeds).map(fitEmbed));
  return fitted;
}

/**
 * A URL echoed in a reply, its credentials redacted: a link without preview (`<url>`) when at most
 * `max` characters, else its first `max` characters as code (a cut URL must not be a link), so that a
 * long address (2,000 characters typed become up to 18,000 once percent-encoded) never pushes the
 * rest of the answer out.
 */
export function echoUrl(url: string, max = 200): string {
  const shown = redactUrlSecrets(url);
  return shown.length <= max ? `<${shown}>` : `\`${cutText(shown.replaceAll('`', '%60'), max)}\``;
}
