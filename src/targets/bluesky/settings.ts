import { z } from 'zod';

/** The `bluesky:` section of the config file, as Herald uses it. */
export interface BlueskySettings {
  /** The posts' languages (BCP-47 tags, at most 3: app.bsky.feed.post `langs`); empty: none declared. */
  langs: string[];
  /** Upload the article's lead image as the link card's thumbnail. */
  thumbnails: boolean;
}

/** A BCP-47 language tag as atproto's `language` format accepts it: a primary subtag, then subtags (en, pt-BR, zh-Hant). */
const languageTag = z.string().regex(/^(?:[a-z]{2,3}|i)(?:-[a-z0-9]{1,8})*$/i, 'expected a BCP-47 language tag such as "en" or "pt-BR"');

/** The `bluesky:` section: the posts' languages, link-card thumbnails. */
export const blueskySettingsSchema = z
  .strictObject({
    langs: z.array(languageTag).max(3).default([]),
    thumbnails: z.boolean().default(true),
  })
  .default({ langs: [], thumbnails: true });
