import { z } from 'zod';
import { checkRow, int, jsonStrings, nullableInt, text } from './rows.js';
import type { Db } from './statements.js';
import type { MemberAlert, MemberAlerts } from './member-alerts.js';

const alertDmRow = z.object({ sent: int, failed: int, dropped: int, paused: int });

const memberAlertRow = z.object({
  id: int,
  number: int,
  guild_id: text,
  member_id: text,
  words: jsonStrings('words'),
  created_at: int,
  paused_at: nullableInt,
});

/** A member_alerts row → MemberAlert. Throws StoreRowError. */
function toMemberAlert(row: unknown): MemberAlert {
  const r = checkRow(memberAlertRow, 'member_alerts', row);
  return { id: r.id, number: r.number, guildId: r.guild_id, memberId: r.member_id, words: r.words, createdAt: r.created_at, pausedAt: r.paused_at };
}


/** Members' alerts (/alerts) on either backend, written once with kysely (the table: migrations.ts V10). */
export function memberAlertParts(db: Db): MemberAlerts {
  return {
    async addMemberAlert(alert, max, now) {
      return db.transaction().execute(async (trx) => {
        const { n } = await trx
          .selectFrom('member_alerts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('guild_id', '=', alert.guildId)
          .where('member_id', '=', alert.memberId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) return null;
        // A member whose alerts are paused (DMs closed) gets the new one paused too.
        const paused = await trx.selectFrom('member_alerts').select('paused_at').where('member_id', '=', alert.memberId).where('paused_at', 'is not', null).executeTakeFirst();
        // Numbered among the member's own alerts (every guild): the unique index (member_id, number) refuses a twin.
        const { highest } = await trx
          .selectFrom('member_alerts')
          .select((eb) => eb.fn.coalesce(eb.fn.max('number'), eb.lit(0)).as('highest'))
          .where('member_id', '=', alert.memberId)
          .executeTakeFirstOrThrow();
        const row = await trx
          .insertInto('member_alerts')
          .values({ guild_id: alert.guildId, member_id: alert.memberId, number: Number(highest) + 1, words: JSON.stringify(alert.words), created_at: now, paused_at: paused?.paused_at ?? null })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toMemberAlert(row);
      });
    },
    async memberAlerts(guildId, memberId) {
      return (await db.selectFrom('member_alerts').selectAll().where('guild_id', '=', guildId).where('member_id', '=', memberId).orderBy('id').execute()).map(toMemberAlert);
    },
    async removeMemberAlert(guildId, memberId, number) {
      const result = await db.deleteFrom('member_alerts').where('number', '=', number).where('guild_id', '=', guildId).where('member_id', '=', memberId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async alertsOf(memberId) {
      return (await db.selectFrom('member_alerts').selectAll().where('member_id', '=', memberId).orderBy('id').execute()).map(toMemberAlert);
    },
    async activeAlerts(guildIds) {
      if (guildIds !== 'all' && guildIds.length === 0) return [];
      const active = db.selectFrom('member_alerts').selectAll().where('paused_at', 'is', null);
      return (await (guildIds === 'all' ? active : active.where('guild_id', 'in', [...guildIds])).orderBy('id').execute()).map(toMemberAlert);
    },
    async setAlertsPaused(memberId, pausedAt) {
      const result = await db
        .updateTable('member_alerts')
        .set({ paused_at: pausedAt })
        .where('member_id', '=', memberId)
        .where('paused_at', pausedAt === null ? 'is not' : 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async alertDms(target, since, skipped) {
      const row = await db
        .selectFrom('deliveries')
        .select((eb) => {
          const count = (when: Parameters<typeof eb.case>[0] & object) => eb.fn.coalesce(eb.fn.sum<number>(eb.case().when(when).then(1).else(0).end()), eb.lit(0));
          const skippedFor = (prefix: string) => eb.and([eb('status', '=', 'skipped'), eb('last_error', 'like', `${prefix}%`), eb('updated_at', '>=', since)]);
          return [
            // Sent: by when the DM went out (an edit later does not make it count again), and any in flight now.
            count(eb.or([eb('sent_at', '>=', since), eb('status', '=', 'sending')])).as('sent'),
            // Failed: by when Discord refused it (a failed delivery is not changed again).
            count(eb.and([eb('status', '=', 'failed'), eb('updated_at', '>=', since)])).as('failed'),
            // Skipped: by when the match was skipped (a skipped delivery is not changed again).
            count(skippedFor(skipped.dropped)).as('dropped'),
            count(skippedFor(skipped.paused)).as('paused'),
          ];
        })
        .where('target', '=', target)
        .where((eb) => eb.or([eb('sent_at', '>=', since), eb('status', 'in', ['sending', 'skipped', 'failed'])]))
        .executeTakeFirstOrThrow();
      // PostgreSQL's SUM of integers is a numeric, handed over as a string.
      return checkRow(alertDmRow, 'deliveries', { sent: Number(row.sent), failed: Number(row.failed), dropped: Number(row.dropped), paused: Number(row.paused) });
    }
  };
}
