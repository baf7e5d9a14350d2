declare module 'twitter-text' {
  export interface ParsedTweet {
    weightedLength: number;
    valid: boolean;
    permillage: number;
  }
  export function parseTweet(text: string): ParsedTweet;
  /** URLs, hashtags, mentions and cashtags as X links them; where two overlap, the first wins (a URL over a mention inside it). */
  export interface Entity {
    indices: [number, number];
    url?: string;
    hashtag?: string;
    screenName?: string;
    listSlug?: string;
    cashtag?: string;
  }
  export function extractEntitiesWithIndices(text: string): Entity[];
  export function extractUrls(text: string): string[];
  /** URLs with their offsets (UTF-16); `extractUrlsWithoutProtocol: false` finds only those with a scheme. */
  export function extractUrlsWithIndices(text: string, options?: { extractUrlsWithoutProtocol?: boolean }): Array<{ url: string; indices: [number, number] }>;
  export function extractHashtags(text: string): string[];
  export function extractCashtags(text: string): string[];
  const twitterText: {
    parseTweet: typeof parseTweet;
    extractEntitiesWithIndices: typeof extractEntitiesWithIndices;
    extractUrls: typeof extractUrls;
    extractUrlsWithIndices: typeof extractUrlsWithIndices;
    extractHashtags: typeof extractHashtags;
    extractCashtags: typeof extractCashtags;
  };
  export default twitterText;
}
