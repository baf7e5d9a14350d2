import type { APIEmbed } from 'discord.js';

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
  /** Not in the limits table, but Discord refuses longer embed URLs (discord/discord-api-docs PR #6531). */
  url: 2048,
} as const;

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PLAIN_ASCII = /^[\x20-\x7e\n\t]*$/;

/**
 * Cuts `text` to at most `max` UTF-16 code units between whole graphemes (an emoji, a letter with
 * its accents, a flag stays whole), ending with "…" when cut. A markdown escape left dangling at
 * the cut is dropped. Returns `text` itself when it fits.
 */
export function cutGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  // Only the head is segmented, one code unit past the last cut point considered, so the code
  // point at every cut point is whole (a boundary depends on the character after it).
  const budget = max - ELLIPSIS.length;
  // Printable ASCII without \r is one grapheme per code unit: no need to segment (it is slow).
  let end = PLAIN_ASCII.test(text.slice(0, max)) ? budget : 0;
  if (end === 0) {
    for (const { index } of graphemes.segment(text.slice(0, max + 1))) {
      if (index > budget) break;
      end = index;
    }
  }
  let kept = text.slice(0, end);
  const backslashes = /\\+$/.exec(kept)?.[0].length ?? 0;
  if (backslashes % 2 === 1) kept = kept.slice(0, -1);
  return kept + ELLIPSIS;
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
  if (embed.title !== undefined) fitted.title = cutGraphemes(embed.title, DISCORD_LIMITS.title);
  if (embed.description !== undefined) fitted.description = cutGraphemes(embed.description, DISCORD_LIMITS.description);
  if (embed.footer) fitted.footer = { ...embed.footer, text: cutGraphemes(embed.footer.text, DISCORD_LIMITS.footerText) };
  if (embed.author) fitted.author = { ...embed.author, name: cutGraphemes(embed.author.name, DISCORD_LIMITS.authorName) };
  if (embed.fields) {
    fitted.fields = embed.fields
      .slice(0, DISCORD_LIMITS.fields)
      .map((field) => ({ ...field, name: cutGraphemes(field.name, DISCORD_LIMITS.fieldName), value: cutGraphemes(field.value, DISCORD_LIMITS.fieldValue) }));
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
      const next = cutGraphemes(value, Math.max(ELLIPSIS.length, value.length - excess));
      excess -= value.length - next.length;
      fields[f] = { ...fields[f]!, value: next };
    }
    if (excess > 0 && embed.description) {
      const next = cutGraphemes(embed.description, Math.max(0, embed.description.length - excess));
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
  if (message.content !== undefined) fitted.content = cutGraphemes(message.content, DISCORD_LIMITS.content);
  if (message.embeds) fitted.embeds = fitTotal(message.embeds.slice(0, DISCORD_LIMITS.embeds).map(fitEmbed));
  return fitted;
}

/**
 * A URL echoed in a reply: a link without preview (`<url>`) when at most `max` characters, else its
 * first `max` characters as code (a cut URL must not be a link), so that a long address (2,000
 * characters typed become up to 18,000 once percent-encoded) never pushes the rest of the answer out.
 */
export function echoUrl(url: string, max = 200): string {
  return url.length <= max ? `<${url}>` : `\`${cutGraphemes(url.replaceAll('`', '%60'), max)}\``;
}
