import { Gauge, type Registry } from 'prom-client';
import type { UsageLedger } from '../../store/store.js';
import { currentUsage, postsLeft } from './budget.js';
import type { XSettings } from './settings.js';

/** herald_x_posts_left{window}: what the X caps still allow in the current UTC day and month (absent without a cap). */
export function registerPostsLeft(registry: Registry, store: Pick<UsageLedger, 'xUsage'>, settings: () => XSettings): void {
  new Gauge({
    name: 'herald_x_posts_left',
    help: 'X posts the caps still allow in the current UTC day or month (absent without a cap)',
    labelNames: ['window'] as const,
    registers: [registry],
    async collect() {
      const left = postsLeft(settings(), await currentUsage(store, Date.now()));
      this.reset();
      if (left.day !== null) this.set({ window: 'day' }, left.day);
      if (left.month !== null) this.set({ window: 'month' }, left.month);
    },
  });
}
