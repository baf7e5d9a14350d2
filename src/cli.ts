import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { ConfigError, loadConfigFile, type Config } from './config/config.js';
import { HERALD_ENV, processEnvironment, readEnv, type Env, type Environment } from './config/env.js';
import { helpFor, USAGE } from './cli/help.js';
import { createProgressLine, type ProgressLine } from './cli/progress.js';
import { createLogger } from './ops/logger.js';
import type { ConfiguredKind } from './deliveries/kind.js';
import type { TargetDeps } from './targets/deps.js';
import { configuredKinds, TARGET_KINDS } from './targets/index.js';
import { discordApiUrl } from './targets/discord-webhook/env.js';
import { VERSION } from './version.js';


/** Bad usage: reported in one line, exit 2. */
class UsageError extends Error {}

/** Values never to log: the secret variables of Herald (DATABASE_URL may hold a password) and of every destination kind. */
function secretsOf(variables: Environment): string[] {
  return [...HERALD_ENV, ...TARGET_KINDS.flatMap((kind) => kind.env)]
    .filter((variable) => variable.secret)
    .map((variable) => variables[variable.name])
    .filter((value): value is string => Boolean(value));
}

interface Setup {
  /** The environment record, for what a command reads beyond Herald's own variables (`herald x login`). */
  variables: Environment;
  env: Env;
  /** The destination kinds the environment configures. */
  configured: ReadonlyMap<string, ConfiguredKind<TargetDeps>>;
  log: Logger;
}

/**
 * Reads the environment (every destination kind's variables, then Herald's own; a malformed one
 * throws ConfigError, exit 2) and makes the logger; a progress line on the same terminal is cleared
 * before each log line.
 */
function setup(stdoutIsOutput: boolean, progress: ProgressLine | null = null): Setup {
  const variables = processEnvironment();
  const configured = configuredKinds(variables);
  const env = readEnv(variables);
  const log = createLogger({
    // Commands that print results keep stdout for them; their log lines go to stderr.
    level: stdoutIsOutput && !variables.LOG_LEVEL ? 'warn' : env.logLevel,
    secrets: secretsOf(variables),
    fd: stdoutIsOutput ? 2 : 1,
    pretty: (stdoutIsOutput ? process.stderr.isTTY : process.stdout.isTTY) === true,
    beforeWrite: progress ? () => progress.clear() : undefined,
  });
  exitOnUnexpected(log);
  return { variables, env, configured, log };
}

/**
 * An error nothing caught (a bug) ends the process with exit status 1 after one structured log line
 * (level fatal, the error and where it surfaced), instead of a raw stack trace on stderr. The logger
 * writes synchronously, so the line is out before the exit.
 */
function exitOnUnexpected(log: Logger): void {
  const fatal = (origin: string) => (error: unknown) => {
    log.fatal({ err: error, origin }, 'unexpected error; exiting');
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));
}

async function main(argv: string[]): Promise<number> {
  const help = helpFor(argv);
  if (help !== null) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'inspect': {
      const [kind, inputs] = subcommandOf('inspect', rest, ['feed', 'article'], 'herald inspect feed ./feed.xml');
      const { values, positionals } = parseArgs({ args: inputs, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
      if (positionals.length === 0) throw new UsageError(`inspect ${kind}: give at least one path or URL`);
      const { env } = setup(true);
      const { inspectFeeds, inspectArticles } = await import('./cli/inspect.js');
      return kind === 'feed' ? inspectFeeds(positionals, values.json, env) : inspectArticles(positionals, values.json, env);
    }
    case 'preview': {
      const { values, positionals } = parseArgs({ args: rest, options: { limit: { type: 'string', default: '3' } }, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('preview: give one feed id or URL, e.g. herald preview kyiv-independent --limit 3');
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new UsageError(`preview: --limit must be a whole number from 1 to 50, got "${values.limit}"`);
      const { env, variables } = setup(true);
      const { preview } = await import('./cli/preview.js');
      return preview(positionals[0]!, limit, env, loadConfigIfPresent(env, variables, positionals[0]!));
    }
    case 'feeds': {
      const [action, args] = subcommandOf('feeds', rest, ['import', 'export'], 'herald feeds export > feeds.opml');
      if (action === 'import') {
        const { values, positionals } = parseArgs({ args, options: { route: { type: 'string', multiple: true, default: [] } }, allowPositionals: true });
        if (positionals.length !== 1) throw new UsageError('feeds import: give one OPML file, e.g. herald feeds import subscriptions.opml --route discord:123456789012345678');
        const { env, variables } = setup(true);
        const { importOpml } = await import('./cli/feeds.js');
        return importOpml(positionals[0]!, values.route, env, variables, (line) => process.stdout.write(`${line}\n`));
      }
      noArguments('feeds export', args);
      const { env, variables } = setup(true);
      const { exportOpml } = await import('./cli/feeds.js');
      return exportOpml(env, variables, (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`));
    }
    case 'x': {
      const [, args] = subcommandOf('x', rest, ['login'], 'herald x login');
      noArguments('x login', args);
      const { variables, env } = setup(true);
      const { xLogin } = await import('./cli/x-login.js');
      return xLogin(variables, env.databaseUrl);
    }
    case 'demo': {
      noArguments('demo', rest);
      const { runDemo } = await import('./cli/demo.js');
      return runDemo();
    }
    case '--version':
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}" (try: herald --help)`);
  }
}

/**
 * The subcommand a command line names (`herald <command> <subcommand> …`), one of `names`, and the
 * arguments after it. Throws UsageError (exit 2) naming the subcommands and an `example` otherwise.
 */
function subcommandOf<const Name extends string>(command: string, rest: readonly string[], names: readonly Name[], example: string): [Name, string[]] {
  const [name, ...args] = rest;
  if (!names.includes(name as Name)) {
    const expected = names.map((known) => `"${known}"`).join(' or ');
    throw new UsageError(`${command}: expected ${expected}${name === undefined ? '' : `, got "${name}"`}, e.g. ${example}`);
  }
  return [name as Name, args];
}

/** For a command that takes no arguments (`herald feeds export`): throws UsageError (exit 2) naming those given. */
function noArguments(command: string, args: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`${command}: takes no arguments, got "${args.join(' ')}"`);
}

/** preview accepts a feed id (needs the config) or a URL/path (config optional, for its routes). */
function loadConfigIfPresent(env: Env, variables: Environment, feedOrUrl: string): Config | null {
  const isId = /^[a-z0-9-]+$/.test(feedOrUrl);
  try {
    return loadConfigFile(env.configFile, TARGET_KINDS, variables);
  } catch (error) {
    if (isId) throw error;
    return null;
  }
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean', default: false }, once: { type: 'boolean', default: false } },
    allowPositionals: false,
  });
  // Progress for long runs (hundreds of feeds), on a terminal only: logs and pipes stay clean.
  const progress = values.once ? createProgressLine(process.stderr) : null;
  const { variables, env, configured, log } = setup(false, progress);
  const config = loadConfigFile(env.configFile, TARGET_KINDS, variables);
  const { createHerald, runUntilSignalled } = await import('./main.js');
  const print = (text: string) => {
    progress?.clear();
    process.stdout.write(`${text}\n`);
  };
  const herald = await createHerald({ config, env, configured, log, dryRun: values['dry-run'], serveOps: !values.once, print, webhookApiUrl: discordApiUrl(variables) });
  if (values.once) {
    const { polls, deliveries } = await herald.runOnce(progress ? (done, total) => progress.show(`polled ${done}/${total} feeds`) : undefined);
    progress?.clear();
    await herald.stop();
    const failed = polls.filter((poll) => poll.status === 'failed');
    // A feed its host held back (Retry-After) did not fail: it is said, and does not make the exit status 1.
    const heldFeeds = polls.filter((poll) => poll.status === 'held').map((poll) => poll.feedId);
    const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    log.info({ feeds: polls.length, failed: failed.map((poll) => poll.feedId), ...(heldFeeds.length > 0 ? { heldFeeds } : {}), sends: deliveries.attempted, failedDeliveries: deliveries.failed, held: deliveries.held, maxRssMb }, 'one cycle done');
    // 1 when anything did not work: a feed, a delivery that failed, or a target holding posts back (refused credentials).
    return failed.length > 0 || deliveries.failed > 0 || deliveries.held.length > 0 ? 1 : 0;
  }
  await herald.start();
  return runUntilSignalled(herald, env.configFile, variables, log);
}

// A reader that stops early (`herald inspect feed … | head`) closes the pipe: that ends the command quietly, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (sockets in keep-alive pools) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`herald: ${(error as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`herald: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
