/* finder.js — /finder: while choices change, say how many programs match (docs/web.md, "Finder
   pages").  An enhancement only: the form works without it.  It asks /api/v1/finder?…&limit=1 for the
   count and writes it into the live region #finder-count (aria-live="polite").  Nothing is stored:
   no cookies, no storage, no request to any other site. */
(function () {
	'use strict';
	var form = document.getElementById('finder-form');
	var out = document.getElementById('finder-count');
	if (!form || !out || !window.fetch || !window.URLSearchParams || !window.FormData) return;
	var timer = 0;
	var seq = 0;

	function query() {
		var params = new URLSearchParams();
		var any = false;
		new FormData(form).forEach(function (value, name) {
			if (typeof value !== 'string' || value.trim() === '') return;
			params.append(name, value);
			any = true;
		});
		return any ? params : null;
	}

	function update() {
		timer = 0;
		var params = query();
		var mine = ++seq;
		if (params === null) {
			out.textContent = '';
			return;
		}
		params.set('limit', '1');
		fetch('/api/v1/finder?' + params.toString(), { credentials: 'omit', cache: 'no-store' })
			.then(function (r) {
				return r.json().then(function (body) {
					return { ok: r.ok, body: body };
				});
			})
			.then(function (r) {
				if (mine !== seq) return; /* a newer change is on its way */
				if (r.ok && typeof r.body.total === 'number')
					out.textContent = r.body.total + '件の事業が見つかりました（「さがす」を押すと表示します）';
				else
					out.textContent = (r.body && r.body.detail) || '件数を数えられませんでした';
			})
			.catch(function () {
				if (mine === seq) out.textContent = '';
			});
	}

	function later(ms) {
		if (timer) clearTimeout(timer);
		timer = setTimeout(update, ms);
	}

	form.addEventListener('change', function () {
		later(150);
	});
	form.addEventListener('input', function (e) {
		if (e.target && e.target.tagName === 'TEXTAREA') later(500);
	});
})();
