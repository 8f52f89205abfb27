// finder.test.mjs — the needs finder (/finder) in a real Chromium, at phone (360 px) and desktop
// widths: tick a "who" and a "need" box and watch the live count (finder.js → /api/v1/finder)
// follow the choices, type everyday words, submit, see the results grouped by need with why each
// was shown, open the one-page handout with its QR code (and print it to a one-page A4 PDF);
// axe-core (WCAG 2.1 A/AA) on the results and the handout; the same form without JavaScript; no
// cookie, no storage, no request off the sasae server.  Screenshots: build/browser-artifacts/finder-*.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	ARTIFACTS,
	DESKTOP,
	foreignRequests,
	formatViolations,
	launchBrowser,
	newContext,
	PHONE,
	runAxe,
	screenshot,
	startServer,
	visit,
} from './lib.mjs';

let server;
let browser;

before(async () => {
	server = await startServer('finder');
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
});

/* The number of matching programs for a query string, from the API (the test's own oracle). */
async function apiTotal(qs) {
	const r = await fetch(`${server.base}/api/v1/finder?${qs}&limit=1`);
	assert.equal(r.status, 200);
	return (await r.json()).total;
}

async function noViolations(page, what) {
	const violations = await runAxe(page);
	assert.equal(violations.length, 0, `axe (WCAG 2.1 A/AA) on ${what}:\n${formatViolations(violations)}`);
}

async function noSidewaysScroll(page, what) {
	const w = await page.evaluate(() => document.scrollingElement.scrollWidth);
	assert.ok(w <= PHONE.width, `no sideways scroll at 360 px on ${what}: scrollWidth ${w}`);
}

/* The pages of a PDF (Chromium writes one "/Type /Page" dictionary per page). */
function pdfPages(file) {
	const text = fs.readFileSync(file).toString('latin1');
	return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
}

for (const [width, viewport, extra] of [
	['phone', PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 1 }],
	['desktop', DESKTOP, {}],
]) {
	describe(`finder, ${width} ${viewport.width}×${viewport.height}`, () => {
		let context;
		let requests;
		let page;
		before(async () => {
			({ context, requests } = await newContext(browser, server.base, { viewport, ...extra }));
			page = await context.newPage();
		});
		after(async () => {
			const cookies = await context?.cookies();
			await context?.close();
			assert.deepEqual(cookies, [], 'the finder sets no cookie');
			assert.deepEqual(foreignRequests(requests ?? [], server.base), [], 'every request stays on the sasae server');
		});

		test('choose who and what, watch the count, submit, see grouped results and the handout', async () => {
			const res = await visit(page, server.base, '/finder');
			assert.equal(res.status(), 200);
			assert.equal(res.headers()['cache-control'], 'no-store');
			assert.equal(await page.locator('h1').innerText(), '支援をさがす');
			await screenshot(page, `finder-form-${width}`);
			const live = page.locator('#finder-count');
			assert.equal(await live.getAttribute('aria-live'), 'polite');
			assert.equal((await live.innerText()).trim(), '', 'the count is empty before any choice');

			// tick a who box and a need box by their labels, as a person does
			const who = page.getByRole('group', { name: 'だれが' });
			const need = page.getByRole('group', { name: 'なにに困っていますか' });
			await who.getByLabel('お年寄り').check();
			const total1 = await apiTotal('who=elderly');
			await assert.doesNotReject(live.filter({ hasText: `${total1}件の事業が見つかりました` }).waitFor(),
				`the live count says ${total1} after ticking お年寄り`);
			await need.getByLabel('お金のこと').check();
			const total2 = await apiTotal('who=elderly&need=money');
			await live.filter({ hasText: `${total2}件の事業が見つかりました` }).waitFor();
			// everyday words change the count too (after a short pause in typing)
			const box = page.getByLabel('ふだんの言葉で書いてください');
			await box.click();
			await box.pressSequentially('親の介護で疲れた');
			const total3 = await apiTotal(`who=elderly&need=money&text=${encodeURIComponent('親の介護で疲れた')}`);
			await live.filter({ hasText: `${total3}件の事業が見つかりました` }).waitFor();
			await screenshot(page, `finder-count-${width}`, false);

			// submit: the whole state is in the URL
			await Promise.all([page.waitForURL(/\/finder\?/), page.getByRole('button', { name: 'さがす' }).click()]);
			const url = new URL(page.url());
			assert.deepEqual(url.searchParams.getAll('who'), ['elderly']);
			assert.deepEqual(url.searchParams.getAll('need'), ['money']);
			assert.equal(url.searchParams.get('text'), '親の介護で疲れた');
			assert.equal(await who.getByLabel('お年寄り').isChecked(), true, 'ticked boxes stay ticked');
			assert.equal(await need.getByLabel('お金のこと').isChecked(), true);
			assert.equal(await box.inputValue(), '親の介護で疲れた', 'the words stay in the box');
			const heading = await page.locator('#results-heading').innerText();
			assert.match(heading, new RegExp(`${total3}件`), `the results heading: ${heading}`);
			const groups = page.locator('section.group');
			assert.ok((await groups.count()) >= 1, 'results grouped by need');
			const first = groups.first();
			assert.match(await first.locator('h3').innerText(), /\d+件/);
			const results = page.locator('li.finder-result');
			assert.ok((await results.count()) >= 1, 'programs are shown');
			assert.equal(await page.locator('li.finder-result .why').count(), await results.count(), 'each says why');
			assert.match(await page.locator('p.understood').innerText(), /→/, 'what was understood from the words');
			await screenshot(page, `finder-results-${width}`);
			await noViolations(page, '/finder with results');
			if (width === 'phone') await noSidewaysScroll(page, '/finder with results');

			// a group link of the table of contents moves to the group
			const tocLink = page.locator('nav.toc a').first();
			const target = (await tocLink.getAttribute('href')).slice(1);
			await tocLink.click();
			await page.waitForURL(new RegExp(`#${target}$`));

			// the handout: one page, the situation in plain words, a QR code of this page's address
			await Promise.all([page.waitForURL(/\/finder\/print\?/), page.getByRole('link', { name: /印刷用のページ/ }).click()]);
			assert.equal(new URL(page.url()).search, url.search, 'the handout has the same query');
			assert.equal(await page.locator('h1').count(), 1);
			const qr = page.locator('svg.qr');
			assert.ok(await qr.isVisible(), 'the QR code shows');
			const box2 = await qr.boundingBox();
			assert.ok(box2.width >= 100 && Math.abs(box2.width - box2.height) < 1, `a square QR code: ${box2.width}×${box2.height}`);
			const printed = (await page.locator('.handout-qr .url').innerText()).trim();
			assert.equal(printed, `${server.base}/finder${url.search}`, 'the printed address is the finder page');
			const situation = await page.locator('.handout-situation').innerText();
			for (const plain of ['お年寄り', 'お金のこと', '親の介護で疲れた']) assert.ok(situation.includes(plain), `situation: ${plain}`);
			assert.ok((await page.locator('.handout-programs li').count()) >= 1, 'programs on the handout');
			await screenshot(page, `finder-print-${width}`);
			await noViolations(page, '/finder/print');
			if (width === 'phone') await noSidewaysScroll(page, '/finder/print');

			await page.emulateMedia({ media: 'print' });
			try {
				const hidden = await page.evaluate(() =>
					['header.site', '.handout-tools', 'footer.site'].map((s) => {
						const e = document.querySelector(s);
						return !e || getComputedStyle(e).display === 'none';
					}),
				);
				assert.deepEqual(hidden, [true, true, true], 'print: no site header, tools or footer');
				await screenshot(page, `finder-print-media-${width}`);
				if (width === 'desktop') {
					const pdf = path.join(ARTIFACTS, 'finder-handout.pdf');
					await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
					assert.equal(pdfPages(pdf), 1, 'the handout prints on one A4 page');
				}
			} finally {
				await page.emulateMedia({ media: 'screen' });
			}
			const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
			assert.equal(stored, 0, 'nothing kept in the browser storage');
		});
	});
}

test('the form works without JavaScript (no live count; submit and see results)', async () => {
	const { context, requests } = await newContext(browser, server.base, { javaScriptEnabled: false, viewport: PHONE });
	const page = await context.newPage();
	try {
		await visit(page, server.base, '/finder');
		await page.getByLabel('もの忘れが気になる人とその家族').check();
		await page.getByLabel('ふだんの言葉で書いてください').fill('住むところがない');
		await Promise.all([page.waitForURL(/\/finder\?/), page.getByRole('button', { name: 'さがす' }).click()]);
		const url = new URL(page.url());
		assert.deepEqual(url.searchParams.getAll('who'), ['dementia']);
		assert.equal(url.searchParams.get('text'), '住むところがない');
		assert.ok((await page.locator('li.finder-result').count()) >= 1, 'results without JavaScript');
		assert.equal((await page.locator('#finder-count').innerText()).trim(), '', 'no count without the script');
		assert.ok(!requests.some((u) => u.includes('/api/v1/finder')), 'no API call without JavaScript');
		await screenshot(page, 'finder-nojs-phone');
	} finally {
		await context.close();
	}
});
