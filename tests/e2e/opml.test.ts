import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHerald as run, tempDir } from './herald-process.js';

describe('herald feeds import / export (OPML 2.0)', () => {
  it('imports new feeds into the config file with a route, keeps its comments, and exports them back with their folders', async () => {
    const dir = tempDir('opml');
    const config = join(dir, 'herald.yaml');
    writeFileSync(config, '# my feeds\nfeeds:\n  - id: kept\n    url: https://kept.example/rss # the first one\n');
    const opml = join(dir, 'subscriptions.opml');
    writeFileSync(
      opml,
      `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
        <outline text="Tech"><outline text="Ars Technica" type="rss" xmlUrl="https://feeds.arstechnica.com/arstechnica/index"/>
        <outline text="Kept" type="rss" xmlUrl="https://kept.example/rss"/></outline>
        <outline text="Ars Technica" type="rss" xmlUrl="https://other.example/ars.xml"/>
        <outline text="Kept again" type="rss" xmlUrl="HTTPS://KEPT.example/rss#top"/>
        <outline text="Script" type="rss" xmlUrl="javascript:alert(1)"/>
        <outline text="Metadata" type="rss" xmlUrl="http://169.254.169.254/latest/"/></body></opml>`,
    );
    const env = { HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}` };
    const imported = await run(['feeds', 'import', opml, '--route', 'discord:123456789012345678'], env);
    const skipped = '  skipped javascript:alert(1): not http or https\n  skipped http://169.254.169.254/latest/: a link-local or cloud metadata address\n';
    expect(imported).toMatchObject({ code: 0, stdout: `${config}: 2 feeds added, 2 already there, 2 skipped, routed to discord:123456789012345678\n${skipped}` });
    expect(readFileSync(config, 'utf8')).not.toContain('169.254');
    const yaml = readFileSync(config, 'utf8');
    expect(yaml).toContain('# my feeds');
    expect(yaml).toContain('# the first one');
    expect(yaml).toMatch(/id: ars-technica\n\s+url: https:\/\/feeds.arstechnica.com\/arstechnica\/index\n\s+name: Ars Technica\n\s+category: Tech/);
    expect(yaml).toContain('id: ars-technica-2');
    expect(yaml).toMatch(/routes:\n\s+- feeds:\n\s+- ars-technica\n\s+- ars-technica-2\n\s+to:\n\s+- discord: "?123456789012345678"?/);
    // Importing again adds nothing.
    expect((await run(['feeds', 'import', opml], env)).stdout).toBe(`${config}: 0 feeds added, 4 already there, 2 skipped\n${skipped}`);

    const exported = await run(['feeds', 'export'], env);
    expect(exported.code).toBe(0);
    writeFileSync(opml, exported.stdout);
    const back = join(dir, 'back.yaml');
    writeFileSync(back, 'feeds: []\n');
    expect((await run(['feeds', 'import', opml], { ...env, HERALD_CONFIG: back })).stdout).toBe(`${back}: 3 feeds added, 0 already there\n`);
    expect(readFileSync(back, 'utf8')).toMatch(/url: https:\/\/feeds.arstechnica.com\/arstechnica\/index\n\s+name: Ars Technica\n\s+category: Tech/);
  });

  it('exits 2 naming the file when it is not OPML, and on a route the config does not accept', async () => {
    const dir = tempDir('opml-bad');
    const config = join(dir, 'herald.yaml');
    writeFileSync(config, 'feeds: []\n');
    const notOpml = join(dir, 'feed.xml');
    writeFileSync(notOpml, '<rss version="2.0"><channel><title>x</title></channel></rss>');
    const env = { HERALD_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'herald.db')}` };
    const bad = await run(['feeds', 'import', notOpml], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${notOpml}: not an OPML document`);
    const opml = join(dir, 'one.opml');
    writeFileSync(opml, '<opml version="2.0"><body><outline text="One" xmlUrl="https://one.example/rss"/></body></opml>');
    const badRoute = await run(['feeds', 'import', opml, '--route', 'carrier-pigeon:42'], env);
    expect(badRoute.code).toBe(2);
    expect(badRoute.stderr).toContain('unknown destination kind "carrier-pigeon"');
    expect(readFileSync(config, 'utf8')).toBe('feeds: []\n');
  });
});
