// keyboard-print.test.mjs — keyboard and print behaviour in a real Chromium: the skip link is the
// first thing Tab reaches and moves focus to <main>; links, the search box and the button show a
// visible focus outline; search highlights are <mark>; printing a program page hides the header's
// search form and navigation (and a PDF and a print-media screenshot are saved as artefacts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, foreignRequests, launchBrowser, newContext, PAGES, screenshot, startServer, visit } from './lib.mjs';

let server;
let browser;
let context;
let requests;
let page;

before(async () => {
	server = await startServer('keyboard-print');
	browser = await launchBrowser();
	({ context, requests } = await newContext(browser, server.base));
	page = await context.newPage();
});

after(async () => {
	await context?.close();
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
	assert.deepEqual(foreignRequests(requests ?? [], server.base), [], 'every request stays on the sasae server');
});

/* The focused element: tag, id, class, text, and its computed outline. */
function focused() {
	return page.evaluate(() => {
		const e = document.activeElement;
		const s = getComputedStyle(e);
		return {
			tag: e.tagName.toLowerCase(),
			id: e.id,
			cls: e.className,
			text: (e.textContent || '').trim(),
			outlineStyle: s.outlineStyle,
			outlineWidth: parseFloat(s.outlineWidth),
			outlineColor: s.outlineColor,
			visible: e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0,
		};
	});
}

function assertOutline(f, what) {
	assert.notEqual(f.outlineStyle, 'none', `${what} (${f.tag}) shows an outline on focus`);
	assert.ok(f.outlineWidth >= 2, `${what} outline is at least 2 px (is ${f.outlineWidth})`);
	assert.ok(f.visible, `${what} is visible while focused`);
}

test('on every page type the skip link is the first focusable element and moves focus to main', async () => {
	for (const p of PAGES) {
		await visit(page, server.base, p.path);
		const first = await page.evaluate(() => {
			const sel = 'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex]:not([tabindex="-1"]), [contenteditable]';
			const e = [...document.querySelectorAll(sel)].find((x) => !x.disabled);
			return e ? e.outerHTML : null;
		});
		assert.match(first ?? '', /^<a class="skip" href="#main">/, `first focusable on ${p.path}`);
		await page.keyboard.press('Tab');
		const f = await focused();
		assert.equal(f.cls, 'skip', `Tab reaches the skip link first on ${p.path}`);
		assert.equal(f.text, '本文へ移動');
		assertOutline(f, 'the skip link');
		const box = await page.locator('a.skip').boundingBox();
		assert.ok(box && box.y >= 0 && box.x >= 0, 'the focused skip link is on screen');
		if (p.name === 'home') await screenshot(page, 'focus-skip-link', false);
		await page.keyboard.press('Enter');
		await page.waitForFunction(() => document.activeElement?.id === 'main');
		assert.equal(new URL(page.url()).hash, '#main');
		// the next Tab goes on in the content, not back to the header
		const mainHasLink = await page.locator('main a[href], main input, main button').count();
		if (mainHasLink > 0) {
			await page.keyboard.press('Tab');
			const next = await page.evaluate(() => document.querySelector('main').contains(document.activeElement));
			assert.ok(next, `after the skip link, Tab continues inside main on ${p.path}`);
		}
	}
});

test('links, the search box and the button show a visible focus outline', async () => {
	await visit(page, server.base, '/');
	await page.keyboard.press('Tab'); // skip link
	await page.keyboard.press('Tab'); // brand link
	let f = await focused();
	assert.equal(f.tag, 'a');
	assertOutline(f, 'the site name link');
	await page.keyboard.press('Tab');
	f = await focused();
	assert.equal(f.id, 'q', 'then the search box');
	assertOutline(f, 'the search box');
	await page.keyboard.press('Tab');
	f = await focused();
	assert.equal(f.tag, 'button');
	assertOutline(f, 'the search button');
	await page.keyboard.press('Tab');
	f = await focused();
	assert.equal(f.text, '計画のトップ');
	assertOutline(f, 'a navigation link');
	await screenshot(page, 'focus-nav-link', false);

	// a link in the content
	await visit(page, server.base, '/parts/2/sections/1');
	const link = page.locator('li.listing h3 a').first();
	await link.focus();
	// focus by keyboard, as :focus-visible follows the last input
	await page.keyboard.press('Shift+Tab');
	await page.keyboard.press('Tab');
	f = await focused();
	assert.equal(f.tag, 'a');
	assertOutline(f, 'a listing link');

	// the search box also shows it when clicked (an input always gets focus-visible)
	await page.locator('#q').click();
	f = await focused();
	assertOutline(f, 'the clicked search box');
});

test('search highlights are <mark> elements around the matched words', async () => {
	await visit(page, server.base, `/search?q=${encodeURIComponent('ひとり暮らし')}`);
	const marks = await page.locator('ol.results mark').allInnerTexts();
	assert.ok(marks.length > 0, 'results have <mark>');
	const bg = await page.locator('ol.results mark').first().evaluate((e) => getComputedStyle(e).backgroundColor);
	assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'a mark has a background');
	await visit(page, server.base, '/parts/1');
	assert.equal(await page.locator('mark').count(), 0, 'no highlights outside search results');
});

test('printing a program page hides the header search form and the navigation', async () => {
	await visit(page, server.base, '/programs/p0011');
	const shown = () =>
		page.evaluate(() =>
			['header.site form', 'header.site nav', 'footer.site', 'a.skip', 'main h1', 'dl.facts', 'ul.places'].map((sel) => {
				const e = document.querySelector(sel);
				return [sel, !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0];
			}),
		);
	const screen = Object.fromEntries(await shown());
	assert.equal(screen['header.site form'], true, 'the search form shows on screen');
	assert.equal(screen['header.site nav'], true, 'the navigation shows on screen');
	await page.emulateMedia({ media: 'print' });
	try {
		const print = Object.fromEntries(await shown());
		assert.equal(print['header.site form'], false, 'the search form is hidden in print');
		assert.equal(print['header.site nav'], false, 'the navigation is hidden in print');
		assert.equal(print['main h1'], true, 'the program name prints');
		assert.equal(print['dl.facts'], true, 'the facts print');
		assert.equal(print['ul.places'], true, 'the places print');
		await screenshot(page, 'program-print');
		await page.pdf({ path: path.join(ARTIFACTS, 'program-print.pdf'), format: 'A4', printBackground: true });
	} finally {
		await page.emulateMedia({ media: 'screen' });
	}
});
