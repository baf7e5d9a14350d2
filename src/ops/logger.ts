import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { redactUrlSecrets } from './redact.js';

export interface LoggerOptions {
  level: string;
  /** Values that must never reach the log: tokens and keys from the environment. */
  secrets: string[];
  /** Where lines go: 1 (stdout, the default) or 2 (stderr, for commands whose stdout is their output). */
  fd?: 1 | 2;
  /** Human-readable lines instead of JSON (for a terminal). */
  pretty?: boolean;
  /** A stream to write to instead of a file descriptor (tests). */
  stream?: DestinationStream;
  /** Called just before each line is written (clears a progress line on the same terminal). */
  beforeWrite?: () => void;
}

/** pino-pretty, loaded only for a terminal: a bot writing JSON lines never holds it. */
const prettyStream = (): typeof PinoPretty => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

const AUTH_HEADER = /((?:Bot|Bearer|OAuth)\s+)[\w.=%"-]{8,}/g;

/** Removes secrets from one serialized log line: the given values, auth headers, and URL credentials (Discord webhook tokens included: ops/redact.ts). */
export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let clean = line;
  for (const secret of secrets) {
    if (secret.length >= 6) clean = clean.split(secret).join('[redacted]');
  }
  return redactUrlSecrets(clean.replace(AUTH_HEADER, '$1[redacted]'));
}

/**
 * pino, JSON on stdout. Secrets are scrubbed from the final text of every line, so they cannot
 * leak through an error message, a stack trace or a nested object that no redact path names.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets.filter((secret) => secret.length >= 6);
  const fd = options.fd ?? 1;
  const destination: DestinationStream = options.stream
    ? options.stream
    : options.pretty
    ? // In this thread and synchronous (not a worker transport), so lines and a progress line never interleave.
      prettyStream()({ destination: fd, sync: true, colorize: true, ignore: 'pid,hostname,service' })
    : pino.destination({ dest: fd, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: 'herald' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
      hooks: {
        streamWrite: (line) => {
          options.beforeWrite?.();
          return scrubSecrets(line, secrets);
        },
      },
    },
    destination,
  );
}
