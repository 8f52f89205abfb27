// workspace.test.mjs — the plan office's workspace in a real Chromium: a member of the office made
// with `sasae user add` / `sasae user role` signs in through the form (after a wrong password),
// decides about a lint finding (許容 with a reason), edits a program's tag override, and finds both
// changes in /office/audit; then signs out.  Every workspace page — the error states of its forms
// included — passes axe-core (WCAG 2.1 A/AA) at desktop and phone widths, does not scroll sideways
// at 360 px, and requests nothing outside the sasae server.  Screenshots: workspace-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import {
	DESKTOP,
	formatViolations,
	foreignRequests,
	launchBrowser,
	newContext,
	PHONE,
	runAxe,
	SASAE_BIN,
	screenshot,
	startServer,
	visit,
} from './lib.mjs';

const PASSWORD = 'office password for the browser test';
let server;
let browser;

before(async () => {
	server = await startServer('workspace');
	const cli = (args, input) => execFileSync(SASAE_BIN, ['--db', server.db, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
	cli(['user', 'add', 'office1', '--name', '計画課 佐藤'], `${PASSWORD}\n`);
	cli(['user', 'role', 'office1', '--grant', 'office']);
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close();
	const exit = await server?.stop();
	assert.deepEqual(exit, { code: 0, signal: null }, 'sasae serve stops cleanly on SIGTERM');
});

/* axe-core on the page as it is now: no WCAG 2.1 A/AA violation. */
async function axeClean(page, what) {
	const violations = await runAxe(page);
	assert.equal(violations.length, 0, `axe (WCAG 2.1 A/AA) on ${what}:\n${formatViolations(violations)}`);
}

/* Sign in through the form on /login (the page the workspace sends a stranger to). */
async function signIn(page, password = PASSWORD) {
	await page.getByLabel('ログイン名').fill('office1');
	await page.getByLabel('パスワード').fill(password);
	await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'ログイン', exact: true }).click()]);
}

test('sign in, triage a finding, edit a tag override, see both in the audit log', async () => {
	const { context, requests } = await newContext(browser, server.base, { viewport: DESKTOP });
	const page = await context.newPage();
	try {
		// a stranger is sent to the sign-in page, which remembers where they were going
		const res = await visit(page, server.base, '/office/lint');
		assert.equal(res.status(), 200);
		assert.equal(new URL(page.url()).pathname, '/login');
		assert.equal(new URL(page.url()).searchParams.get('next'), '/office/lint');
		await axeClean(page, '/login');

		// a wrong password: one message, tied to the fields, the login kept, the password not
		await signIn(page, 'not the password at all');
		assert.equal(await page.getByRole('alert').innerText(), 'ログイン名またはパスワードが違います。');
		assert.equal(await page.getByLabel('ログイン名').inputValue(), 'office1');
		assert.equal(await page.getByLabel('パスワード').inputValue(), '');
		assert.equal(await page.getByLabel('パスワード').getAttribute('aria-describedby'), 'login-problem');
		await axeClean(page, '/login after a wrong password');
		await screenshot(page, 'workspace-login-error', false);

		// signed in: to the page asked for
		await signIn(page);
		assert.equal(new URL(page.url()).pathname, '/office/lint');
		const cookies = await context.cookies();
		const session = cookies.find((c) => c.name === 'sasae_session');
		assert.ok(session, 'the session cookie');
		assert.equal(session.httpOnly, true);
		assert.equal(session.sameSite, 'Strict');
		assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read the session');
		await axeClean(page, '/office/lint');

		// triage the first finding: 許容 with a reason
		const finding = page.locator('li.finding').first();
		const id = await finding.getAttribute('id');
		await finding.getByLabel('許容（誤りではない）').check();
		await finding.getByLabel('理由（許容のときは必ず書いてください）').fill('印刷どおりでよいと判断した');
		await Promise.all([page.waitForURL(/done=triage/), finding.getByRole('button', { name: /判断を保存/ }).click()]);
		assert.equal(new URL(page.url()).hash, `#${id}`);
		assert.match(await page.getByRole('status').first().innerText(), /判断を保存しました/);
		const decided = page.locator(`li#${id}`);
		assert.equal(await decided.locator('.badge').innerText(), '許容');
		assert.match(await decided.locator('.triage-state').innerText(), /印刷どおりでよいと判断した/);
		await screenshot(page, 'workspace-lint', false);

		// 許容 without a reason: the error next to the field, the choice kept
		await decided.getByLabel('理由（許容のときは必ず書いてください）').fill('');
		await Promise.all([page.waitForLoadState('load'), decided.getByRole('button', { name: /判断を保存/ }).click()]);
		const again = page.locator(`li#${id}`);
		const reason = again.getByLabel('理由（許容のときは必ず書いてください）');
		assert.equal(await reason.getAttribute('aria-invalid'), 'true');
		assert.match(await page.locator(`#${await reason.getAttribute('aria-describedby')}`).innerText(), /理由/);
		assert.equal(await again.getByLabel('許容（誤りではない）').isChecked(), true);
		await axeClean(page, '/office/lint with a form error');

		// a program's tag override
		await visit(page, server.base, '/office/programs/p0011/tags');
		await axeClean(page, '/office/programs/p0011/tags');
		await page.getByLabel('タグの指定').fill('+need:money');
		await page.getByLabel('理由', { exact: true }).fill('お金の相談先でもあるため');
		await Promise.all([page.waitForURL(/done=tags/), page.getByRole('button', { name: 'タグの指定を保存' }).click()]);
		assert.match(await page.getByRole('status').first().innerText(), /タグの指定を保存しました/);
		assert.match(await page.locator('#overrides ~ ul').first().innerText(), /\+need:money/);
		await screenshot(page, 'workspace-program', false);

		// the public program page shows the tag at once
		await visit(page, server.base, '/programs/p0011');
		assert.ok((await page.locator('a[href="/finder?need=money"]').count()) >= 1, 'the public page has the tag');

		// both changes in the audit log, by this person (public pages carry no workspace bar: back
		// through the workspace's home)
		await visit(page, server.base, '/office');
		await page.getByRole('navigation', { name: '作業画面' }).getByRole('link', { name: '監査記録' }).click();
		await page.waitForURL(/\/office\/audit$/);
		const rows = page.locator('table.audit tbody tr');
		const text = (await rows.allInnerTexts()).join('\n');
		assert.match(text, /lint\.triage/);
		assert.match(text, /program\.tags[\s\S]*program:p0011|program:p0011[\s\S]*program\.tags/);
		assert.match(text, /office1/);
		assert.match(text, /session\.login/);
		await axeClean(page, '/office/audit');
		await screenshot(page, 'workspace-audit', false);
		// filtered by action
		await page.getByLabel('操作').fill('program.tags');
		await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '絞り込む' }).click()]);
		assert.equal(await page.locator('table.audit tbody tr').count(), 1);

		// sign out
		await Promise.all([page.waitForURL(/\/login\?done=logout/), page.getByRole('button', { name: 'ログアウト' }).click()]);
		assert.equal(await page.getByRole('status').innerText(), 'ログアウトしました。');
		assert.equal((await context.cookies()).find((c) => c.name === 'sasae_session'), undefined, 'the cookie is gone');
		assert.deepEqual(foreignRequests(requests, server.base), [], 'every request stays on the sasae server');
	} finally {
		await context.close();
	}
});

/* Every page of the workspace, and the error states of its forms. */
const WORKSPACE = [
	{ name: 'office', path: '/office' },
	{ name: 'lint', path: '/office/lint' },
	{ name: 'lint-open', path: '/office/lint?state=open' },
	{ name: 'diff-form', path: '/office/diff' },
	{ name: 'diff', path: '/office/diff?old=sendai-2024-draft%401&new=sendai-2024-draft%401' },
	{ name: 'diff-error', path: '/office/diff?old=nosuch%401&new=sendai-2024-draft%401', status: 404 },
	{ name: 'version', path: '/office/plans/sendai-2024-draft%401' },
	{ name: 'files', path: '/office/files' },
	{ name: 'file', path: '/office/files/vocabulary.tsv' },
	{ name: 'program', path: '/office/programs/p0011/tags' },
	{ name: 'audit', path: '/office/audit' },
	{ name: 'audit-error', path: '/office/audit?since=yesterday', status: 400 },
	{ name: 'password', path: '/office/password' },
	{ name: 'forbidden', path: '/office/nosuch', status: 404 },
];

for (const [width, viewport, extra] of [
	['phone', PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 1 }],
	['desktop', DESKTOP, {}],
]) {
	describe(`workspace pages, ${width} ${viewport.width}×${viewport.height}`, () => {
		let context;
		let requests;
		let page;
		before(async () => {
			({ context, requests } = await newContext(browser, server.base, { viewport, ...extra }));
			page = await context.newPage();
			await visit(page, server.base, '/login');
			await signIn(page);
			assert.equal(new URL(page.url()).pathname, '/office');
		});
		after(async () => {
			await context?.close();
		});

		const check = async (what, status) => {
			assert.equal(await page.getAttribute('html', 'lang'), 'ja');
			assert.equal(await page.locator('h1').count(), 1, `one h1 on ${what}`);
			await axeClean(page, what);
			if (width === 'phone') {
				const sw = await page.evaluate(() => document.scrollingElement.scrollWidth);
				assert.ok(sw <= 360, `no sideways scroll at 360 px on ${what}: scrollWidth ${sw}`);
			}
			assert.deepEqual(foreignRequests(requests, server.base), [], 'every request stays on the sasae server');
			void status;
		};

		for (const p of WORKSPACE) {
			test(`${p.name} ${p.path}`, async () => {
				requests.length = 0;
				const res = await visit(page, server.base, p.path);
				assert.equal(res.status(), p.status ?? 200, `HTTP status of ${p.path}`);
				await screenshot(page, `workspace-${p.name}-${width}`);
				await check(p.path);
			});
		}

		test('changing the password: two different new ones are refused next to the field, nothing typed comes back', async () => {
			await visit(page, server.base, '/office/password');
			await page.getByLabel('今のパスワード').fill('whatever is typed here');
			await page.getByLabel('新しいパスワード', { exact: true }).fill('a long enough new passphrase');
			await page.getByLabel('新しいパスワード（確認）').fill('a long enough new passphrasE');
			await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'パスワードを変更する' }).click()]);
			const again = page.getByLabel('新しいパスワード（確認）');
			assert.equal(await again.getAttribute('aria-invalid'), 'true');
			assert.match(await page.locator('#again-error').innerText(), /同じ新しいパスワード/);
			assert.equal(await again.inputValue(), '', 'a password is never sent back');
			assert.ok(!(await page.content()).includes('passphrase'), 'nothing typed is in the page');
			await check('the password form with an error');
		});

		test('a data file that does not parse: the loader\'s message next to the field, the text kept', async () => {
			await visit(page, server.base, '/office/files/vocabulary.tsv');
			const box = page.getByLabel('内容（タブ区切りのテキスト）');
			await box.fill('# 壊れた語彙\nwho\tだけの行\n');
			await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '保存', exact: true }).click()]);
			const again = page.getByLabel('内容（タブ区切りのテキスト）');
			assert.equal(await again.getAttribute('aria-invalid'), 'true');
			assert.equal(await again.inputValue(), '# 壊れた語彙\nwho\tだけの行\n', 'the text is kept as typed');
			assert.match(await page.locator('#text-error').innerText(), /^vocabulary\.tsv:\d+: /);
			await screenshot(page, `workspace-file-error-${width}`);
			await check('/office/files/vocabulary.tsv with an error');
		});
	});
}
