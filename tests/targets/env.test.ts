import { describe, expect, it } from 'vitest';
import { HERALD_ENV } from '../../src/config/env.js';
import { readDiscordEnv } from '../../src/targets/discord/env.js';
import { configuredKinds, TARGET_KINDS } from '../../src/targets/index.js';
import { readXEnv } from '../../src/targets/x/env.js';

const OAUTH1 = { X_APP_KEY: 'k', X_APP_SECRET: 's', X_ACCESS_TOKEN: 't', X_ACCESS_SECRET: 'a' };

describe("each destination kind reads its own environment", () => {
  it('configures no kind in an empty environment, each kind from its own variables', () => {
    expect([...configuredKinds({}).keys()]).toEqual([]);
    expect([...configuredKinds({ DISCORD_TOKEN: 't' }).keys()]).toEqual(['discord']);
    expect([...configuredKinds({ X_CLIENT_ID: 'c' }).keys()]).toEqual(['x']);
    expect([...configuredKinds({ ...OAUTH1, DISCORD_TOKEN: 't' }).keys()]).toEqual(['discord', 'x']);
    // Blank counts as unset, as it always has.
    expect([...configuredKinds({ DISCORD_TOKEN: '  ', X_CLIENT_ID: '' }).keys()]).toEqual([]);
  });

  it('reads the Discord bot with its defaults', () => {
    expect(readDiscordEnv({})).toBeNull();
    expect(readDiscordEnv({ DISCORD_TOKEN: ' t ' })).toEqual({ token: 't', apiUrl: 'https://discord.com/api', guildId: null });
    expect(readDiscordEnv({ DISCORD_TOKEN: 't', DISCORD_API_URL: 'http://127.0.0.1:9/api', DISCORD_GUILD_ID: '123' })).toEqual({ token: 't', apiUrl: 'http://127.0.0.1:9/api', guildId: '123' });
  });

  it('reads the X account: OAuth 1.0a keys win over the OAuth 2 app, half-set keys are refused', () => {
    expect(readXEnv({})).toEqual({ account: null, loginApp: null });
    expect(readXEnv({ ...OAUTH1, X_CLIENT_ID: 'c', X_API_URL: 'http://127.0.0.1:9' }).account).toEqual({
      mode: 'oauth1',
      credentials: { appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'a' },
      apiUrl: 'http://127.0.0.1:9',
    });
    expect(readXEnv({ X_CLIENT_ID: 'c', X_CLIENT_SECRET: 'cs' })).toEqual({
      account: { mode: 'oauth2', clientId: 'c', clientSecret: 'cs', apiUrl: null },
      loginApp: { clientId: 'c', clientSecret: 'cs', apiUrl: null, redirectUri: 'http://127.0.0.1:8788/callback' },
    });
    expect(readXEnv({ X_CLIENT_ID: 'c', X_REDIRECT_URI: 'https://example.org/cb' }).loginApp?.redirectUri).toBe('https://example.org/cb');
    expect(() => readXEnv({ X_APP_KEY: 'k' })).toThrow('environment: X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET must be set together');
    expect(() => configuredKinds({ X_APP_KEY: 'k', X_ACCESS_SECRET: 'a' })).toThrow(/must be set together/);
  });

  it('names every variable once, across Herald and its kinds, with the tokens marked secret', () => {
    const all = [...HERALD_ENV, ...TARGET_KINDS.flatMap((kind) => kind.env)];
    expect(new Set(all.map((variable) => variable.name)).size).toBe(all.length);
    const secrets = all.filter((variable) => variable.secret).map((variable) => variable.name);
    expect(secrets).toEqual(expect.arrayContaining(['DATABASE_URL', 'DISCORD_TOKEN', 'X_APP_KEY', 'X_APP_SECRET', 'X_ACCESS_TOKEN', 'X_ACCESS_SECRET', 'X_CLIENT_SECRET']));
  });
});
