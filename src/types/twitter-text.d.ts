declare module 'twitter-text' {
  export interface ParsedTweet {
    weightedLength: number;
    valid: boolean;
    permillage: number;
  }
  export function parseTweet(text: string): ParsedTweet;
  const twitterText: { parseTweet: typeof parseTweet };
  export default twitterText;
}
