import { VERSION } from '../version.js';

export const USAGE = `Herald ${VERSION}: news feeds → article summaries → Discord, X, Mastodon, Bluesky, Telegram

Usage:
  herald run [--dry-run] [--once]          run the bot (config: HERALD_CONFIG, default config/herald.yaml)
  herald inspect feed <path-or-url>... [--json]
  herald inspect article <path-or-url>... [--json]
  herald preview <feed-id-or-url> [--limit N]
  herald feeds import <file.opml> [--route <kind[:address]>]...
  herald feeds export                      the feeds as OPML 2.0 on stdout
  herald x login                           authorize posting to X with OAuth 2 (PKCE); tokens go to the database
  herald demo                              the offline demo (what \`npm run demo\` runs)
  herald --version | --help
  herald <command> --help                  what one command does, and its options

Exit status: 0 success, 1 some input failed, 2 bad usage or configuration.`;

const EXIT = 'Exit status: 0 success, 1 some input failed, 2 bad usage or configuration.';

/** What each command does and takes, shown by `herald <command> --help`. */
const COMMAND_HELP: Record<string, string> = {
  run: `Usage: herald run [--dry-run] [--once]

Runs the bot: polls every feed on its schedule, extracts and summarizes new articles, posts them to
the destinations the routes name, and answers slash commands. Configuration comes from the file in
HERALD_CONFIG (default config/herald.yaml) and the environment (.env is read first). SIGHUP re-reads
the config file; SIGTERM and SIGINT stop gracefully.

Options:
  --dry-run   send nothing; print every post that would be made, keep state in memory only
  --once      one full cycle (poll every feed, send everything due), then exit
  --help      this text

${EXIT}`,
  inspect: `Usage: herald inspect feed <path-or-url>... [--json]
       herald inspect article <path-or-url>... [--json]

inspect feed     parses each feed (RSS, Atom, RDF, JSON Feed; a file or an http(s) URL) and prints
                 its items as Herald normalizes them
inspect article  extracts each article page and prints its text and the summary Herald would post

Options:
  --json      one JSON object per input, one per line, in input order
  --help      this text

Loopback and private addresses are refused unless HERALD_ALLOW_PRIVATE_NETWORK=1; link-local and
cloud metadata addresses (169.254.169.254…) always.
${EXIT}`,
  preview: `Usage: herald preview <feed-id-or-url> [--limit N]

Fetches a feed (a feed id from the config file, or a URL or file path) and shows, for its newest N
items, exactly what would be posted to each target its routes name. Nothing is posted.

Options:
  --limit N   how many of the newest items, 1 to 50 (default 3)
  --help      this text

${EXIT}`,
  feeds: `Usage: herald feeds import <file.opml> [--route <kind[:address]>]...
       herald feeds export

feeds import  adds the feeds of an OPML subscription list (OPML 2.0; Feedly, Inoreader, NetNewsWire…)
              to the config file, each once (by URL), with its title as name and its folders as
              category; the file keeps its comments. With --route, one route sends the new feeds
              there: --route discord:<channel id>, --route x (repeat for several destinations).
feeds export  prints every feed (config file, then those added from Discord) as OPML 2.0, with
              categories as folders: herald feeds export > feeds.opml

Options:
  --route     a destination for the imported feeds
  --help      this text

${EXIT}`,
  x: `Usage: herald x login

Authorizes posting to X with OAuth 2.0 (PKCE): prints a link to open, waits for X to redirect back to
X_REDIRECT_URI, and stores the tokens in the database. Needs X_CLIENT_ID (and X_CLIENT_SECRET for a
confidential client).

Options:
  --help      this text

${EXIT}`,
  demo: `Usage: herald demo

Runs the bot once over the bundled offline demo (a local sample feed and its article pages) and
prints the posts it would make. Needs no network and no tokens; \`npm run demo\` runs it.

Options:
  --help      this text

${EXIT}`,
};

/**
 * The help a command line asks for, or null when it asks for none: `herald <command> … --help`
 * (or `-h`) and `herald help <command>` give that command's text; `herald --help` and `herald help`
 * give the overview.
 */
export function helpFor(argv: readonly string[]): string | null {
  const [command, ...rest] = argv;
  if (command === 'help') return (rest[0] && COMMAND_HELP[rest[0]]) || USAGE;
  if (command === '--help' || command === '-h') return USAGE;
  if (command && COMMAND_HELP[command] && (rest.includes('--help') || rest.includes('-h'))) return COMMAND_HELP[command]!;
  return null;
}
