// pages.test.mjs — every page type of the site (lib.mjs PAGES) at phone (360×740) and desktop
// (1280×900) widths: axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls sideways at 360 px,
// only sasae's own address is requested, and a full-page screenshot of each is saved under
// build/browser-artifacts/<page>-<width>.png for people to look at.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	DESKTOP,
	formatViolations,
	foreignRequests,
	launchBrowser,
	newContext,
	PAGES,
	PHONE,
	runAxe,
	screenshot,
	startServer,
	visit,
} from './lib.mjs';

let server;
let browser;

before(async () => {
	server = await startServer('pages');
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
});

for (const [width, viewport, extra] of [
	['phone', PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 1 }],
	['desktop', DESKTOP, {}],
]) {
	describe(`${width} ${viewport.width}×${viewport.height}`, () => {
		let context;
		let requests;
		let page;
		before(async () => {
			({ context, requests } = await newContext(browser, server.base, { viewport, ...extra }));
			page = await context.newPage();
		});
		after(async () => {
			await context?.close();
		});

		for (const p of PAGES) {
			test(`${p.name} ${p.path}`, async () => {
				requests.length = 0;
				const res = await visit(page, server.base, p.path);
				assert.equal(res.status(), p.status, `HTTP status of ${p.path}`);
				assert.equal(await page.getAttribute('html', 'lang'), 'ja');
				assert.ok((await page.title()).endsWith('| sasae'), 'the title names the site');
				assert.equal(await page.locator('h1').count(), 1, 'one h1');
				await screenshot(page, `${p.name}-${width}`);

				const violations = await runAxe(page);
				assert.equal(violations.length, 0, `axe (WCAG 2.1 A/AA) on ${p.path}:\n${formatViolations(violations)}`);

				if (width === 'phone') {
					const overflow = await page.evaluate(() => {
						const w = document.scrollingElement.clientWidth;
						const wide = [...document.querySelectorAll('body *')]
							.filter((e) => e.getBoundingClientRect().right > w + 0.5)
							.slice(0, 5)
							.map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}: ${e.textContent.trim().slice(0, 40)}`);
						return { scrollWidth: document.scrollingElement.scrollWidth, wide };
					});
					assert.ok(overflow.scrollWidth <= 360, `no sideways scroll at 360 px on ${p.path}: scrollWidth ${overflow.scrollWidth}; ${overflow.wide.join(' | ')}`);
				}
				assert.deepEqual(foreignRequests(requests, server.base), [], 'every request stays on the sasae server');
			});
		}
	});
}
