import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts the browser. */
const CHROMIUM = '/usr/bin/chromium';

function installChromium(): void {
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * Debian's chromium for the browser tests (playwright-core drives it; `npx playwright install`
 * cannot download here): installed with apt-get when missing and allowed (in CI, as root, or with
 * HERALD_INSTALL_CHROMIUM=1), else a reason to skip.
 */
export function chromiumPath(): { path: string } | { skipped: string } {
  const allowed = process.getuid?.() === 0 && (process.env.CI === 'true' || process.env.HERALD_INSTALL_CHROMIUM === '1');
  if (!existsSync(CHROMIUM) && allowed) {
    try {
      installChromium();
    } catch (error) {
      return { skipped: `apt-get install chromium failed: ${(error as Error).message}` };
    }
  }
  if (!existsSync(CHROMIUM)) return { skipped: 'no chromium at /usr/bin/chromium (apt-get install chromium, or set CI=true as root to let the tests install it)' };
  return { path: CHROMIUM };
}
