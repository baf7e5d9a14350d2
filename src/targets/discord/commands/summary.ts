import { ApplicationCommandOptionType, MessageFlags, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { PageFailure } from '../../../articles/article.js';
import { summarize } from '../../../articles/summarize.js';
import { echoUrl } from '../fit.js';
import { escapeDiscord } from '../render.js';
import { safeHttpUrl } from '../../../text/url.js';
import { defineCommand } from './command.js';
import { CommandError } from './types.js';

export const summaryDefinition = {
  name: 'summary',
  description: 'Fetch any article and summarize it',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'url', description: 'The article’s address (http or https)', required: true, max_length: 2000 },
    { type: ApplicationCommandOptionType.Boolean, name: 'public', description: 'Show the summary to everyone in the channel (default: only you)', required: false },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const UNREACHABLE = 'the site could not be reached (Herald fetches only public web pages)';

/**
 * Turns a failed fetch (its kind and HTTP status) into words for the person who asked. A refused
 * address and an unreachable one get the same words: two replies would tell an open port on a
 * private address from a closed one.
 */
export function friendlyFetchFailure(failure: { kind: PageFailure; status?: number; reason: string }): string {
  switch (failure.kind) {
    case 'blocked':
    case 'network':
    case 'file':
      return UNREACHABLE;
    case 'timeout':
      return 'the site took too long to answer';
    case 'too-large':
      return 'the page is too large';
    case 'redirects':
      return 'the page redirects too many times';
    case 'http':
      return failure.status !== undefined && failure.status >= 500 ? `the site had an error (HTTP ${failure.status})` : `the site refused it (HTTP ${failure.status ?? '?'})`;
    case 'too-slow':
    case 'too-deep':
      return 'the page is too complex to read';
    case 'not-html':
    case 'unreadable':
      return failure.reason;
    case 'unsupported':
      return 'only http:// and https:// addresses can be fetched';
  }
}

export const summaryCommand = defineCommand(summaryDefinition, async (interaction, args, deps) => {
  const url = safeHttpUrl(args.url.trim());
  if (!url) throw new CommandError('Give a web address starting with http:// or https://.');
  // Fetching can take longer than Discord's 3 seconds: acknowledge first.
  await interaction.deferReply(args.public ? {} : { flags: MessageFlags.Ephemeral });
  const result = await deps.articles.loadPage(url, deps.reach);
  if (!result.ok) throw new CommandError(`Could not summarize ${echoUrl(url)}: ${friendlyFetchFailure(result)}.`);
  const summary = summarize(result.page.text, deps.summary);
  if (!summary) throw new CommandError(`Found no article text at ${echoUrl(url)} (a paywall, or a page that needs JavaScript?).`);
  return {
    embeds: [
      {
        title: escapeDiscord(result.page.title ?? url),
        url: result.page.url ?? url,
        description: escapeDiscord(summary),
        author: result.page.siteName ? { name: result.page.siteName } : undefined,
        color: 0x5865f2,
      },
    ],
  };
});
