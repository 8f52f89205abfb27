// journey.test.mjs — what a resident does, in a real Chromium: open the home page, type 「認知症」
// into the search box and submit, open a result, follow its 【再掲】 place and the re-listing's
// 初出 link back to the original section; the same without JavaScript; and no request leaves the
// sasae server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { foreignRequests, launchBrowser, newContext, PHONE, screenshot, startServer, visit } from './lib.mjs';

let server;
let browser;

before(async () => {
	server = await startServer('journey');
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
});

/* The whole walk, in a context made with opts; returns the URLs the pages requested. */
async function walk(opts, tag) {
	const { context, requests } = await newContext(browser, server.base, opts);
	const page = await context.newPage();
	try {
		// home page
		const res = await visit(page, server.base, '/');
		assert.equal(res.status(), 200);
		assert.equal(await page.getAttribute('html', 'lang'), 'ja');
		await assert.doesNotReject(page.locator('h1').waitFor());

		// type the query and submit with Enter, as a person does
		const box = page.getByRole('searchbox', { name: '事業を探す' });
		await box.click();
		await box.pressSequentially('認知症');
		await Promise.all([page.waitForURL(/\/search\?q=/), box.press('Enter')]);
		assert.equal(new URL(page.url()).searchParams.get('q'), '認知症');
		assert.equal(await page.locator('#q').inputValue(), '認知症', 'the box keeps the query');
		const status = await page.getByRole('status').innerText();
		assert.match(status, /「認知症」に合う事業: \d+ 件/);
		const results = page.locator('ol.results > li');
		assert.ok((await results.count()) >= 3, 'several programs about 認知症');
		// highlights are <mark>, and they mark the query
		const marks = await page.locator('ol.results mark').allInnerTexts();
		assert.ok(marks.length > 0, 'highlights use <mark>');
		assert.ok(marks.every((m) => m.includes('認知症')), `marked: ${marks.join(', ')}`);
		await screenshot(page, `journey-${tag}-search`, false);

		// open a result that is listed more than once (one place is 【再掲】)
		const relistedResult = results.filter({ hasText: '【再掲】' }).first();
		const link = relistedResult.locator('h2 a');
		const name = (await link.innerText()).trim();
		await Promise.all([page.waitForURL(/\/programs\/p\d+$/), link.click()]);
		assert.equal((await page.locator('h1').innerText()).trim(), name);
		const programPath = new URL(page.url()).pathname;

		// its 【再掲】 place: the section page, scrolled to the listing
		const place = page.locator('ul.places li', { hasText: '【再掲】' }).first().locator('a');
		await Promise.all([page.waitForURL(/\/parts\/\d+\/sections\/\d+#n\d+$/), place.click()]);
		const anchor = new URL(page.url()).hash;
		const listing = page.locator(`li.listing${anchor}`);
		assert.equal(await listing.locator('.relisted').innerText(), '【再掲】');
		assert.equal(await listing.locator('h3 a').getAttribute('href'), programPath);

		// the 初出 link of that re-listing leads to the original listing
		const original = listing.locator('.original a');
		assert.match(await original.innerText(), /^初出: 第\d+部/);
		const sectionPath = new URL(page.url()).pathname;
		await Promise.all([page.waitForURL((u) => u.pathname !== sectionPath), original.click()]);
		assert.match(new URL(page.url()).pathname, /^\/parts\/\d+\/sections\/\d+$/);
		const first = page.locator('li.listing', { has: page.locator(`h3 a[href="${programPath}"]`) });
		assert.ok((await first.count()) >= 1, 'the original section lists the program');
		assert.equal(await first.first().locator('.relisted').count(), 0, 'and there it is not 【再掲】');
		await screenshot(page, `journey-${tag}-original`, false);
		return requests;
	} finally {
		await context.close();
	}
}

test('search 「認知症」 from the home page, open a result, follow 【再掲】 and 初出', async () => {
	const requests = await walk({ viewport: PHONE, isMobile: true, hasTouch: true }, 'phone');
	assert.deepEqual(foreignRequests(requests, server.base), [], 'every request stays on the sasae server');
	assert.ok(requests.some((u) => u.endsWith('/assets/style.css')), 'the stylesheet comes from sasae');
});

test('the same walk works with JavaScript disabled, and pages carry no script', async () => {
	const requests = await walk({ javaScriptEnabled: false }, 'nojs');
	assert.deepEqual(foreignRequests(requests, server.base), []);
	const { context } = await newContext(browser, server.base);
	const page = await context.newPage();
	try {
		for (const p of ['/', '/programs/p0011', `/search?q=${encodeURIComponent('認知症')}`]) {
			await visit(page, server.base, p);
			// JSON-LD is data, not script
			assert.equal(await page.locator('script:not([type="application/ld+json"])').count(), 0, `no script on ${p}`);
			assert.equal(await page.locator('[onclick], [onload], [onsubmit], a[href^="javascript:"]').count(), 0);
		}
	} finally {
		await context.close();
	}
});

test('the 【再掲】 listing 地域福祉セミナー on /parts/2/sections/1 links to its first listing', async () => {
	const { context, requests } = await newContext(browser, server.base);
	const page = await context.newPage();
	try {
		await visit(page, server.base, '/parts/2/sections/1');
		const listing = page.locator('li.listing', { hasText: '地域福祉セミナー' }).filter({ hasText: '【再掲】' });
		assert.equal(await listing.count(), 1);
		const program = await listing.locator('h3 a').getAttribute('href');
		await Promise.all([page.waitForURL(/\/parts\/1\/sections\/1(#n\d+)?$/), listing.locator('.original a').click()]);
		const first = page.locator('li.listing', { has: page.locator(`h3 a[href="${program}"]`) });
		assert.equal(await first.count(), 1);
		assert.equal(await first.locator('.relisted').count(), 0);
		assert.deepEqual(foreignRequests(requests, server.base), []);
	} finally {
		await context.close();
	}
});
