import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../config/config.js';
import type { Environment } from '../config/env.js';
import { openStore } from '../store/open.js';
import { OAUTH2_SCOPES, oauth2AppClient, saveTokens } from '../targets/x/auth.js';
import { readXEnv } from '../targets/x/env.js';

/** What the user pasted: the whole redirect URL, or just the code. */
export function parseRedirect(answer: string): { code: string; state: string | null } | null {
  const text = answer.trim();
  if (!text) return null;
  try {
    const url = new URL(text);
    const code = url.searchParams.get('code');
    return code ? { code, state: url.searchParams.get('state') } : null;
  } catch {
    return /^[\w.~-]+$/.test(text) ? { code: text, state: null } : null;
  }
}

/**
 * `herald x login`: the OAuth 2.0 PKCE flow in the terminal. Prints the authorize URL, takes back
 * the redirect URL (or the code), and stores the access and refresh tokens in the database at
 * `databaseUrl`. The app comes from the X variables of `environment`; ConfigError when X_CLIENT_ID
 * is unset. Resolves with the exit status.
 */
export async function xLogin(environment: Environment, databaseUrl: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  const app = readXEnv(environment).loginApp;
  if (!app) throw new ConfigError('environment: X_CLIENT_ID: set it (and X_CLIENT_SECRET for a confidential app) to log in with OAuth 2');
  const client = oauth2AppClient(app);
  const link = client.generateOAuth2AuthLink(app.redirectUri, { scope: OAUTH2_SCOPES });
  output.write(
    `1. Open this URL and authorize the account Herald should post as:\n\n   ${link.url}\n\n` +
      `2. X sends you to ${app.redirectUri}?state=…&code=… (the page may fail to load; that is fine).\n` +
      '   Paste that whole address here (or just the code) and press Enter:\n> ',
  );
  const prompt = createInterface({ input, output, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    prompt.once('line', resolve);
    prompt.once('close', () => resolve(''));
  });
  prompt.close();
  const parsed = parseRedirect(answer);
  if (!parsed) {
    output.write('That is not a redirect URL with a code. Nothing was changed; run `herald x login` again.\n');
    return 1;
  }
  if (parsed.state !== null && parsed.state !== link.state) {
    output.write('The state in that URL does not match this login (an old or foreign link?). Nothing was changed.\n');
    return 1;
  }
  const result = await client.loginWithOAuth2({ code: parsed.code, codeVerifier: link.codeVerifier, redirectUri: app.redirectUri });
  if (!result.refreshToken) {
    output.write('X returned no refresh token (is the offline.access scope allowed for the app?). Nothing was changed.\n');
    return 1;
  }
  const store = await openStore(databaseUrl);
  try {
    await saveTokens(store, { accessToken: result.accessToken, refreshToken: result.refreshToken, expiresAt: Date.now() + result.expiresIn * 1000 });
  } finally {
    await store.close();
  }
  const me = await result.client.v2.me().catch(() => null);
  output.write(`Authorized${me ? ` as @${me.data.username}` : ''}. Tokens are stored in the database; \`herald run\` posts with them and refreshes them.\n`);
  return 0;
}
