// data.test.mjs — the /data page (docs/web.md, "Downloads") in a real Chromium at phone width: axe-core
// finds no WCAG 2.1 A/AA violation, nothing scrolls sideways, every download is a link with the
// `download` attribute, a heading, its size, licence and date, and the browser downloads each file
// (a real download event: the suggested file name and the bytes the server sent).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { formatViolations, foreignRequests, launchBrowser, newContext, PHONE, runAxe, screenshot, startServer, visit } from './lib.mjs';

/* Every export of `sasae export` (docs/exports.md). */
const FILES = ['plan.xlsx', 'plan.csv', 'plan-cp932.csv', 'plan.tsv', 'plan-cp932.tsv', 'plan.json', 'plan.jsonld', 'hsds.zip', 'plan.txt', 'plan.md', 'plan.html'];

let server;
let browser;

before(async () => {
	server = await startServer('data');
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
});

test('/data at 360 px: accessible, every download listed and downloadable', async () => {
	const { context, requests } = await newContext(browser, server.base, { viewport: PHONE, isMobile: true, hasTouch: true, acceptDownloads: true });
	const page = await context.newPage();
	page.setDefaultTimeout(30000); /* the first visit makes every download (the XLSX, the HSDS ZIP …) */
	const res = await visit(page, server.base, '/data');
	assert.equal(res.status(), 200);
	await screenshot(page, 'data-downloads-phone');
	const violations = await runAxe(page);
	assert.equal(violations.length, 0, `axe on /data:\n${formatViolations(violations)}`);
	const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
	assert.ok(width <= 360, `no sideways scroll at 360 px: ${width}`);

	const links = await page.locator('ul.downloads a[download]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	assert.deepEqual(links.sort(), FILES.map((f) => `/data/${f}`).sort(), 'one link per export');
	for (const f of FILES) {
		const item = page.locator('ul.downloads > li', { has: page.locator(`a[href="/data/${f}"]`) });
		assert.equal(await item.locator('h3').count(), 1, `${f}: a heading`);
		const text = await item.innerText();
		assert.match(text, /CC BY 4\.0/, `${f}: the licence`);
		assert.match(text, /\d{4}年\d{1,2}月\d{1,2}日/, `${f}: the last-updated date`);
		assert.match(text, /[\d,]+ バイト/, `${f}: the size`);

		/* each from a fresh page: Chromium holds back a second download started by the same page */
		const one = await context.newPage();
		one.setDefaultTimeout(30000);
		await visit(one, server.base, '/data');
		const link = one.locator(`ul.downloads a[href="/data/${f}"]`);
		const [download] = await Promise.all([one.waitForEvent('download'), link.click()]);
		assert.match(download.suggestedFilename(), /^sendai-2024-draft_第1版_.+\.(xlsx|csv|tsv|json|jsonld|zip|txt|md|html)$/, `${f}: the UTF-8 file name`);
		const bytes = fs.readFileSync(await download.path());
		const size = Number(text.match(/（([\d,]+) バイト）/)[1].replace(/,/g, ''));
		assert.equal(bytes.length, size, `${f}: the bytes downloaded are the size the page gives`);
		if (f.endsWith('.xlsx') || f.endsWith('.zip')) assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', `${f}: a ZIP`);
		await one.close();
	}
	assert.deepEqual(foreignRequests(requests, server.base), [], 'every request stays on the sasae server');
	await context.close();
});
