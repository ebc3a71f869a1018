/// The page's only script and style sheet, compiled in and served by the app itself: no
/// external asset, so the pages work offline and the Content-Security-Policy can say
/// `script-src 'self'` with no inline script at all. The script is an enhancement: every page
/// works without it.
package enum StaticAssets {
    /// Versioned by a hash of their text, so they can be cached for a year and a new build is
    /// still picked up at once.
    package static let jsPath = "/static/app-\(fnv(js)).js"
    package static let cssPath = "/static/app-\(fnv(css)).css"

    static func fnv(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(h >> 32, radix: 16)
    }

    /// Results follow the typing: the same form's query is fetched from /results (the
    /// fragment of the page at /) a moment after the last key, put in place of the results,
    /// and the address bar is set to the page's own URL, so it can be shared or reloaded.
    /// A reply that arrives after a newer one is dropped.
    package static let js = #"""
    (function () {
      'use strict';
      var form = document.getElementById('search-form');
      var box = document.getElementById('q');
      var sort = document.getElementById('sort');
      if (!form || !box || !window.fetch || !window.URLSearchParams) return;
      var timer = 0, seq = 0, last = null;
      function query() {
        var p = new URLSearchParams();
        var fd = new FormData(form);
        fd.forEach(function (v, k) { if (v !== '' && !(k === 'sort' && v === 'relevance')) p.append(k, v); });
        return p.toString();
      }
      function update() {
        if (box.value.trim() === '') return;
        var q = query();
        if (q === last) return;
        last = q;
        var mine = ++seq;
        document.body.setAttribute('data-loading', '1');
        fetch('/results?' + q, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' })
          .then(function (r) { return r.ok || r.status === 400 ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            if (mine !== seq) return;
            var main = document.getElementById('main');
            main.innerHTML = html;
            history.replaceState(null, '', '/?' + q);
            document.title = box.value.trim() + ' · ค้นหา (search) · Khaosan';
          })
          .catch(function () { last = null; })
          .then(function () { if (mine === seq) document.body.removeAttribute('data-loading'); });
      }
      box.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 250); });
      if (sort) sort.addEventListener('change', function () { clearTimeout(timer); update(); });
    })();
    """#

    package static let css = #"""
    :root { --ink: #1d2430; --muted: #5b6675; --line: #d9dee5; --accent: #3b6ea5; --mark: #ffe58a; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.6 "Noto Sans Thai", "Sarabun", "Tahoma", "Leelawadee UI", sans-serif; color: var(--ink); background: #fafbfc; }
    header { padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
    header .home { font-weight: 700; color: var(--ink); text-decoration: none; font-size: 18px; }
    form#search-form { display: flex; gap: 8px; flex: 1; align-items: center; flex-wrap: wrap; }
    form#search-form label { font-weight: 600; }
    input#q { flex: 1; min-width: 240px; font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; }
    select, button { font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
    button { background: var(--accent); color: #fff; border-color: var(--accent); }
    main { max-width: 1100px; margin: 0 auto; padding: 12px 20px 40px; }
    body[data-loading] main { opacity: .6; }
    .en { color: var(--muted); font-size: .85em; }
    a { color: var(--accent); }
    .summary { margin: 4px 0 8px; }
    ul.chips { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
    ul.chips li a { display: inline-block; padding: 2px 10px; border: 1px solid var(--line); border-radius: 12px; background: #fff; text-decoration: none; }
    figure.chart { margin: 8px 0 16px; padding: 8px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
    svg.timeline { width: 100%; height: 120px; display: block; }
    svg.timeline a.bar:hover rect + rect { fill: #f0a030; }
    figcaption { color: var(--muted); font-size: .85em; }
    .cols { display: grid; grid-template-columns: 240px 1fr; gap: 24px; }
    @media (max-width: 760px) { .cols { grid-template-columns: 1fr; } }
    .facet h2, .hits h2, .versions h2, .entities h2 { font-size: 1em; margin: 12px 0 4px; }
    .facet ul { list-style: none; padding: 0; margin: 0; }
    .facet li { display: flex; justify-content: space-between; gap: 8px; font-size: .92em; }
    .facet li.on a { font-weight: 700; }
    .count { color: var(--muted); font-variant-numeric: tabular-nums; }
    ol.hits { padding-left: 1.6em; margin: 0; }
    li.hit { margin: 0 0 14px; }
    li.hit .title { font-weight: 600; font-size: 1.05em; }
    .meta { color: var(--muted); font-size: .85em; }
    .snippet { margin: 2px 0 0; }
    mark { background: var(--mark); padding: 0 1px; }
    .pager { margin: 16px 0; display: flex; gap: 12px; }
    .empty, .error { padding: 16px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
    article.release { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 24px; }
    article.release h1 { font-size: 1.4em; line-height: 1.4; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: .92em; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    .body p { white-space: pre-wrap; }
    .notice { color: #8a5a00; }
    .versions li.on { font-weight: 600; }
    footer { text-align: center; color: var(--muted); font-size: .8em; padding: 20px; }
    """#
}
