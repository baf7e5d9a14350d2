import type { EpochMs } from './store.js';

/** One member's alert (/alerts add): a DM when a new article routed to their guild matches `words`. */
export interface MemberAlert {
  id: number;
  /** Its number among the member's own alerts (1, 2, …, in every guild), the one the member sees and removes it by; never another member's count. */
  number: number;
  guildId: string;
  memberId: string;
  /** The words and phrases, as the member typed them (any one matching is enough). */
  words: string[];
  createdAt: EpochMs;
  /** When the member's alerts were paused because Discord refused a DM (their DMs are closed); null while active. */
  pausedAt: EpochMs | null;
}

/** What a member's alert DMs did in a window (MemberAlerts.alertDms). */
export interface AlertDmCounts {
  sent: number;
  failed: number;
  dropped: number;
  paused: number;
}

/** Per-member alerts (/alerts) and what their DMs did. */
export interface MemberAlerts {
  /**
   * Records a member's alert in a guild unless they have `max` there already, numbered one above
   * the member's highest (both in the same transaction); null when they have `max`.
   */
  addMemberAlert(alert: { guildId: string; memberId: string; words: string[] }, max: number, now: EpochMs): Promise<MemberAlert | null>;
  /** A member's alerts in a guild, oldest first. */
  memberAlerts(guildId: string, memberId: string): Promise<MemberAlert[]>;
  /** Removes one of a member's alerts in a guild, by its number among their alerts (MemberAlert.number); false when they have none with that number there. */
  removeMemberAlert(guildId: string, memberId: string, number: number): Promise<boolean>;
  /** Every alert of a member, in every guild, by id. */
  alertsOf(memberId: string): Promise<MemberAlert[]>;
  /** The alerts that are not paused, of members of these guilds (or of every guild: 'all'), by id. */
  activeAlerts(guildIds: readonly string[] | 'all'): Promise<MemberAlert[]>;
  /** Pauses (at `pausedAt`) or resumes (null) every alert of a member, in every guild; returns how many changed. */
  setAlertsPaused(memberId: string, pausedAt: EpochMs | null): Promise<number>;
  /**
   * A member's DM target key since `since` (epoch ms): DMs sent then (by when they went out, not
   * when last edited) or being sent now; DMs that failed then (Discord refused them: attempts too);
   * and matches skipped then with a reason starting `skipped.dropped` (the hourly limit) or
   * `skipped.paused` (queued when the member's alerts were paused).
   */
  alertDms(target: string, since: EpochMs, skipped: { dropped: string; paused: string }): Promise<AlertDmCounts>;
}
