import { z } from 'zod';

/** The `x:` section of the config file, as Herald uses it. */
export interface XSettings {
  maxPostsPerDay: number | null;
  maxPostsPerMonth: number | null;
  monthlyBudgetUsd: number | null;
  /** USD per request. */
  prices: { post: number; postWithUrl: number; mediaUpload: number };
  images: boolean;
  thread: boolean;
  /** Let @handles from feed text mention accounts on X (false: neutralised). */
  mentions: boolean;
  /** Category (lower-cased) → hashtag with its #. */
  hashtags: ReadonlyMap<string, string>;
}

/** X's published pay-per-use prices (USD per request), November 2026; check the developer console. */
export const X_PRICES = { post: 0.015, postWithUrl: 0.2, mediaUpload: 0 };

/** The `x:` section: spending caps, prices, images, threads, hashtags. */
export const xSettingsSchema = z
  .strictObject({
    maxPostsPerDay: z.number().int().min(0).optional(),
    maxPostsPerMonth: z.number().int().min(0).optional(),
    monthlyBudgetUsd: z.number().min(0).optional(),
    prices: z
      .strictObject({
        post: z.number().min(0).default(X_PRICES.post),
        postWithUrl: z.number().min(0).default(X_PRICES.postWithUrl),
        mediaUpload: z.number().min(0).default(X_PRICES.mediaUpload),
      })
      .default(X_PRICES),
    images: z.boolean().default(false),
    thread: z.boolean().default(false),
    mentions: z.boolean().default(false),
    hashtags: z.record(z.string().min(1), z.string().regex(/^#?[\p{L}\p{N}_]{1,100}$/u, 'expected a hashtag such as "#politics"')).default({}),
  })
  .default({ prices: X_PRICES, images: false, thread: false, mentions: false, hashtags: {} })
  .transform(
    (x): XSettings => ({
      maxPostsPerDay: x.maxPostsPerDay ?? null,
      maxPostsPerMonth: x.maxPostsPerMonth ?? null,
      monthlyBudgetUsd: x.monthlyBudgetUsd ?? null,
      prices: x.prices,
      images: x.images,
      thread: x.thread,
      mentions: x.mentions,
      hashtags: new Map(Object.entries(x.hashtags).map(([category, tag]) => [category.toLowerCase(), tag.startsWith('#') ? tag : `#${tag}`])),
    }),
  );

const TEMPLATE_PLACEHOLDERS = ['title', 'summary', 'url', 'site', 'hashtags'];

/** An X post template: known placeholders only, and {url} must be there. */
export const xTemplateSchema = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((template, ctx) => {
    for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
      if (!TEMPLATE_PLACEHOLDERS.includes(name!)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; use ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` });
    }
    if (!template.includes('{url}')) ctx.addIssue({ code: 'custom', message: 'the template must contain {url}' });
  });
