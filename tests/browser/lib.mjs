// lib.mjs — shared helpers of the browser tests (tests/browser/*.test.mjs): start a real
// `sasae serve` on a free loopback port over a temp database made with `import --sample`, launch
// Debian's Chromium through playwright-core, record every request a page makes, run axe-core, and
// save screenshots under build/browser-artifacts/.
//
// Environment: SASAE_BIN (the binary, default build/sasae; a relative path is taken from the
// current directory, the default from the repository root), SASAE_CHROMIUM (default
// /usr/bin/chromium).
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SASAE_BIN = process.env.SASAE_BIN
	? path.resolve(process.env.SASAE_BIN)
	: path.join(ROOT, 'build', 'sasae');
export const CHROMIUM = process.env.SASAE_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'build', 'browser-artifacts');

/* The launch options every test uses (playwright-core adds a fresh temporary --user-data-dir of its
   own to each launch and removes it at close; we never pass a profile). */
export const LAUNCH_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

const enc = encodeURIComponent;

/* One address of every page type of the site (the sample plan's data), with the status it answers. */
export const PAGES = [
	{ name: 'home', path: '/', status: 200 },
	{ name: 'part', path: '/parts/2', status: 200 },
	{ name: 'section', path: '/parts/2/sections/1', status: 200 },
	{ name: 'program', path: '/programs/p0011', status: 200 },
	{ name: 'departments', path: '/departments', status: 200 },
	{ name: 'department', path: `/departments/${enc('健康福祉局')}`, status: 200 },
	{ name: 'search-results', path: `/search?q=${enc('認知症')}`, status: 200 },
	{ name: 'search-none', path: `/search?q=${enc('ゾウガメ')}`, status: 200 },
	{ name: 'search-empty', path: '/search', status: 200 },
	{ name: 'search-error', path: `/search?q=${enc('"認知症')}`, status: 400 },
	{ name: 'data', path: '/data', status: 200 },
	{ name: 'finder', path: '/finder', status: 200 },
	{ name: 'finder-results', path: `/finder?who=elderly&need=money&text=${enc('親の介護で疲れた')}`, status: 200 },
	{ name: 'finder-error', path: '/finder?who=nosuch', status: 400 },
	{ name: 'finder-print', path: `/finder/print?who=elderly&need=money&text=${enc('親の介護で疲れた')}`, status: 200 },
	{ name: 'not-found', path: '/no/such/page', status: 404 },
];

/* A TCP port that is free on 127.0.0.1 now (the OS picks it). */
async function freePort() {
	const srv = net.createServer();
	srv.listen(0, '127.0.0.1');
	await once(srv, 'listening');
	const { port } = srv.address();
	srv.close();
	await once(srv, 'close');
	return port;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/*
 * Start `sasae serve` on a free port over a new temp database (import --sample).  Returns
 * {base, port, db, stop}; stop() sends SIGTERM, waits for the exit and returns {code, signal}.  The
 * server's stderr (access log) goes to build/browser-artifacts/<name>-server.log.  db is the
 * database's path, for the CLI (`sasae user add`, …) while the server runs.
 */
export async function startServer(name) {
	if (!fs.existsSync(SASAE_BIN))
		throw new Error(`no sasae binary at ${SASAE_BIN} (build first, or set SASAE_BIN)`);
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sasae-browser-'));
	const db = path.join(dir, 'sasae.db');
	execFileSync(SASAE_BIN, ['--db', db, 'import', '--sample'], { stdio: 'pipe' });
	const logPath = path.join(ARTIFACTS, `${name}-server.log`);
	for (let attempt = 1; ; attempt++) {
		const port = await freePort();
		const log = fs.openSync(logPath, 'w');
		const child = spawn(SASAE_BIN, ['--db', db, 'serve', '--bind', '127.0.0.1', '--port', String(port), '--threads', '2'], {
			stdio: ['ignore', 'ignore', log],
		});
		fs.closeSync(log);
		let exited = null;
		child.on('exit', (code, signal) => (exited = { code, signal }));
		const base = `http://127.0.0.1:${port}`;
		const deadline = Date.now() + 10000;
		while (exited === null && Date.now() < deadline) {
			try {
				const r = await fetch(`${base}/`);
				await r.arrayBuffer();
				if (r.ok) break;
			} catch {
				/* not listening yet */
			}
			await sleep(50);
		}
		if (exited !== null) {
			if (attempt < 3) continue; /* the port was taken in between: try another */
			throw new Error(`sasae serve exited (${JSON.stringify(exited)}): ${fs.readFileSync(logPath, 'utf8')}`);
		}
		if (Date.now() >= deadline) {
			child.kill('SIGKILL');
			throw new Error(`sasae serve did not answer on ${base} within 10 s`);
		}
		const stop = async () => {
			if (exited === null) {
				child.kill('SIGTERM');
				const t = setTimeout(() => child.kill('SIGKILL'), 10000);
				while (exited === null) await once(child, 'exit').catch(() => {});
				clearTimeout(t);
			}
			fs.rmSync(dir, { recursive: true, force: true });
			return exited;
		};
		return { base, port, db, stop };
	}
}

/* Launch Debian's Chromium headless with the project's options. */
export async function launchBrowser() {
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS, timeout: 30000 });
}

/*
 * A new browser context for base: every request any of its pages makes is recorded in the returned
 * `requests` array (url strings); a request that would leave base is aborted (it is still recorded,
 * so that a test can fail on it).  opts are Playwright context options (viewport, javaScriptEnabled…).
 */
export async function newContext(browser, base, opts = {}) {
	const context = await browser.newContext({ viewport: DESKTOP, locale: 'ja-JP', ...opts });
	context.setDefaultTimeout(10000);
	const requests = [];
	context.on('request', (req) => requests.push(req.url()));
	await context.route(
		(url) => !(url.href === base || url.href.startsWith(`${base}/`)),
		(route) => route.abort('blockedbyclient'),
	);
	return { context, requests };
}

/* Assert-style check that every recorded URL is on base; returns the ones that are not. */
export function foreignRequests(requests, base) {
	return requests.filter((u) => !(u === base || u.startsWith(`${base}/`)));
}

/* Go to base+path and return the response (status checked by the caller). */
export async function visit(page, base, p) {
	return page.goto(base + p, { waitUntil: 'load' });
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* The WCAG 2.1 A and AA rules of axe-core. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/*
 * Inject axe-core into the page (through the DevTools protocol, so the page's CSP does not stop it)
 * and run the WCAG 2.1 A/AA rules.  Returns the violations array.
 */
export async function runAxe(page) {
	const loaded = await page.evaluate(() => typeof window.axe === 'object');
	if (!loaded) await page.evaluate(axeSource);
	return page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
		}));
	}, AXE_TAGS);
}

/* A readable report of axe violations for an assertion message. */
export function formatViolations(violations) {
	return violations
		.map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n'))
		.join('\n');
}

/* Save a screenshot as build/browser-artifacts/<file>.png (the whole page unless fullPage is false). */
export async function screenshot(page, file, fullPage = true) {
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const p = path.join(ARTIFACTS, `${file}.png`);
	// a whole-page screenshot of a long page takes seconds on a loaded 2-core machine: it is an
	// artifact, not an assertion, so it gets more time than the context's 10 s default
	await page.screenshot({ path: p, fullPage, animations: 'disabled', timeout: 30000 });
	return p;
}
