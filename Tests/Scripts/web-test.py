#!/usr/bin/env python3
"""Browser test of khaosan-web (issue 18), in Debian's chromium driven by selenium.

Starts real khaosan-queryd, khaosan-ingestd and khaosan-web (port 0: the one it logs) in a
temporary KHAOSAN_HOME, ingests the fixture corpus and the web fixture (a release titled
`<script>alert(1)</script>` whose body holds HTML), then in headless chromium:

- types a Thai query and sees the results replaced in place (no page load, the address bar
  then naming the view), with highlighted snippets, facets and the timeline chart;
- clicks a category facet: the total becomes the facet's count, and every hit is of it;
- opens a release: title, both calendars' dates, category, source link, versions;
- opens the shared URL in a fresh browser: the same total, hits and facets;
- downloads the CSV by clicking its link and parses it (csv module): rows = the total, the
  first rows the first hits, in order;
- shows the script release as text: the title's characters visible, no element made from its
  body, no alert, nothing of it ran; no Content-Security-Policy violation in the console;
- takes screenshots of a search page, a release page and the script release (paths printed).

Then over plain HTTP (urllib): the page without JavaScript has its results, 404 for a missing
release and an unknown path, a no-results page, 400 naming a bad parameter or a query that does
not parse, 405 for POST, HEAD, 421 for a foreign Host, 414, the CSP header, the page weight,
429 past the rate limit; a 503 page while khaosan-queryd is stopped, and the page again once
it is back.

    Tests/Scripts/web-test.py [--bin DIR] [--keep] [--shots DIR]

Needs chromium, chromium-driver (Debian) and selenium (PyPI): scripts/install-deps.sh.
Prints one line per check and 'N passed, M failed'; exits 1 on any failure.
"""
import argparse
import csv
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Sources/KhaosanTestSupport/Fixtures")
SCRIPT_TITLE = "<script>alert(1)</script>"
SCRIPT_ID = 999001
QUERY = "โควิด"

passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {what}", flush=True)
    else:
        failed += 1
        print(f"FAIL  {what}", flush=True)
    return ok


def http(url, method="GET", headers=None):
    """(status, headers, body text) without following anything."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def browser(download_dir):
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
              "--lang=th", f"--user-data-dir={tempfile.mkdtemp(prefix='kh-chrome-', dir='/tmp')}"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    service = ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(options=opts, service=service)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return d


def view_state(d):
    """What a search view shows: total, hit ids in order, facet labels and counts."""
    total = d.find_element(By.ID, "results").get_attribute("data-total")
    ids = [a.get_attribute("href").rsplit("/", 1)[-1] for a in d.find_elements(By.CSS_SELECTOR, "li.hit a.title")]
    facets = [li.text for li in d.find_elements(By.CSS_SELECTOR, "nav.facet li")]
    return total, ids, facets


def no_alert(d):
    try:
        d.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--shots", default=None, help="directory for the screenshots (default: a new temp dir)")
    args = ap.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    home = tempfile.mkdtemp(prefix="kh-web-", dir="/tmp")
    shots = args.shots or tempfile.mkdtemp(prefix="kh-web-shots-", dir="/tmp")
    os.makedirs(shots, exist_ok=True)
    downloads = os.path.join(home, "downloads")
    os.makedirs(downloads)
    env = dict(os.environ, KHAOSAN_HOME=home, NO_COLOR="1")
    env.pop("KHAOSAN_INGEST_SOCKET", None)
    env.pop("KHAOSAN_QUERY_SOCKET", None)
    procs = []
    drivers = []

    def start(name, *extra, ready):
        log = open(os.path.join(home, name + ".log"), "w")
        p = subprocess.Popen([os.path.join(bin_dir, name), *extra], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        deadline = time.time() + 60
        while True:
            got = ready()
            if got:
                return got
            if p.poll() is not None or time.time() > deadline:
                sys.exit(f"{name} did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.05)

    def web_port():
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", open(os.path.join(home, "khaosan-web.log")).read())
        return int(m.group(1)) if m else None

    def cli(*argv):
        return subprocess.run([os.path.join(bin_dir, "khaosan"), *argv], env=env, capture_output=True, text=True, timeout=120)

    try:
        start("khaosan-queryd", ready=lambda: os.path.exists(os.path.join(home, "query.sock")))
        start("khaosan-ingestd", ready=lambda: os.path.exists(os.path.join(home, "ingest.sock")))
        port = start("khaosan-web", "--port", "0", ready=web_port)
        base = f"http://127.0.0.1:{port}"
        r = cli("ingest", "--json", os.path.join(FIXTURES, "corpus"), os.path.join(FIXTURES, "web"))
        results = [json.loads(line) for line in r.stdout.splitlines()]
        accepted = {o.get("id") for o in results if o.get("status") == "accepted"}
        # The corpus holds placeholder pages on purpose (rejected, so the CLI exits 1); nothing else may be refused.
        other = [o for o in results if o.get("status") == "rejected" and o.get("error", {}).get("code") != "placeholder-page"]
        check(r.returncode in (0, 1) and len(accepted) >= 50 and SCRIPT_ID in accepted and not other,
              f"ingested the fixtures ({len(accepted)} accepted, the script release among them; exit {r.returncode}; {other[:1]})")

        d = browser(downloads)
        drivers.append(d)
        wait = WebDriverWait(d, 20)

        # 1. Typing a Thai query updates the results in place.
        d.get(base + "/")
        check("Khaosan" in d.title and d.find_element(By.ID, "q"), "the start page opens with the search box")
        d.execute_script("window.__sameDocument = 42;")
        d.find_element(By.ID, "q").send_keys(QUERY)
        try:
            wait.until(lambda dr: dr.find_element(By.ID, "results").get_attribute("data-total") not in (None, "0")
                       and "q=" in dr.current_url)
        except TimeoutException:
            pass
        total, ids, facets = view_state(d)
        check(d.execute_script("return window.__sameDocument") == 42, "results came without a page load (fetch of /results)")
        check(urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("q") == [QUERY],
              f"the address bar names the view ({urllib.parse.unquote(d.current_url)})")
        check(int(total) > 0 and len(ids) == min(int(total), 20), f"typing '{QUERY}' shows {total} results, {len(ids)} on the page")
        marks = d.find_elements(By.CSS_SELECTOR, "p.snippet mark")
        check(marks and all(QUERY in m.text or m.text in QUERY for m in marks[:5]), f"snippets highlight the matched characters ({len(marks)} marks)")
        bars = d.find_elements(By.CSS_SELECTOR, "svg.timeline a.bar")
        check(len(bars) >= 12, f"a timeline chart above the results ({len(bars)} bars)")
        check(any("ไทย" in f for f in facets) and d.find_elements(By.CSS_SELECTOR, "#facet-category li")
              and d.find_elements(By.CSS_SELECTOR, "#facet-month li"), "facets: category, language and month, with counts")

        # 2. A category facet changes the count and the results.
        links = d.find_elements(By.CSS_SELECTOR, "#facet-category li a")
        counts = [int(li.find_element(By.CSS_SELECTOR, ".count").text.replace(",", "")) for li in d.find_elements(By.CSS_SELECTOR, "#facet-category li")]
        pick = next((i for i, c in enumerate(counts) if c < int(total)), 0)
        category = links[pick].text.strip()
        links[pick].click()
        wait.until(lambda dr: "category=" in dr.current_url)
        total2, ids2, _ = view_state(d)
        check(int(total2) == counts[pick] and total2 != total, f"clicking '{category}' shows its {counts[pick]} results (was {total})")
        metas = [m.text for m in d.find_elements(By.CSS_SELECTOR, "li.hit .meta")]
        check(metas and all(category in m for m in metas), "every hit is of that category")
        check(d.find_elements(By.CSS_SELECTOR, "#facet-category li.on"), "the chosen facet is marked, with a link that drops it")
        shared = d.current_url
        before = view_state(d)
        search_shot = os.path.join(shots, "search.png")
        d.save_screenshot(search_shot)

        # 3. A release page.
        first_title = d.find_element(By.CSS_SELECTOR, "li.hit a.title")
        first_title.click()
        wait.until(lambda dr: dr.find_elements(By.ID, "release-title"))
        facts = d.find_element(By.CSS_SELECTOR, "dl.facts").text
        check(re.search(r"25[6-7]\d", facts) and re.search(r"20[12]\d-\d\d-\d\d", facts), "the release's date in both calendars (พ.ศ. and ISO)")
        check(category in facts, "its category")
        src = d.find_elements(By.ID, "source")
        check(src and src[0].get_attribute("href").startswith("https://www.thaigov.go.th/"), "a link to the source")
        check(d.find_elements(By.CSS_SELECTOR, "#versions li"), "its versions")
        check(len(d.find_element(By.ID, "release-body").text) > 50, "the full text")
        release_shot = os.path.join(shots, "release.png")
        d.save_screenshot(release_shot)

        # 4. The shared URL in a new browser shows the same view.
        d2 = browser(downloads)
        drivers.append(d2)
        d2.get(shared)
        check(view_state(d2) == before, f"the shared URL shows the same view in a new browser ({before[0]} results, {len(before[1])} hits)")
        d2.quit()
        drivers.remove(d2)

        # 5. Download the CSV and parse it.
        d.get(shared)
        d.find_element(By.ID, "csv").click()
        deadline = time.time() + 20
        files = []
        while time.time() < deadline:
            files = [f for f in glob.glob(os.path.join(downloads, "*.csv"))]
            if files and not glob.glob(os.path.join(downloads, "*.crdownload")):
                break
            time.sleep(0.2)
        if check(bool(files), f"clicking the CSV link downloads a file ({files})"):
            rows = list(csv.DictReader(io.StringIO(open(files[0], encoding="utf-8", newline="").read())))
            check(len(rows) == int(before[0]), f"the CSV parses: {len(rows)} rows = the {before[0]} results")
            check([r["id"] for r in rows[:len(before[1])]] == before[1], "its rows are the page's hits, in order")
            check(all(r["category"] == category for r in rows), "every row is of the chosen category")

        jsonl_href = d.find_element(By.ID, "jsonl").get_attribute("href")
        status, headers, text = http(jsonl_href)
        lines = [json.loads(line) for line in text.splitlines()]
        check(status == 200 and len(lines) == int(before[0]) == int(headers.get("X-Khaosan-Rows", -1))
              and [str(o["id"]) for o in lines[:len(before[1])]] == before[1] and all("highlights" in o for o in lines),
              f"the JSON Lines download parses: {len(lines)} objects with the keys of khaosan search --json")

        # 6. The script release is shown as text; nothing of it runs.
        d.get(base + f"/release/{SCRIPT_ID}")
        title = d.find_element(By.ID, "release-title").text
        check(title == SCRIPT_TITLE, f"the title is shown as its characters: {title!r}")
        body = d.find_element(By.ID, "release-body")
        check("<img src=x" in body.text and "<script>window.pwned=2</script>" in body.text, "the body's HTML is visible as text")
        made = body.find_elements(By.CSS_SELECTOR, "img, script, iframe, b, a")
        check(not made, f"no element was made from the body ({len(made)})")
        check(no_alert(d) and d.execute_script("return typeof window.pwned") == "undefined", "no script of the release ran (no alert, window.pwned unset)")
        check(d.title.startswith(SCRIPT_TITLE), "the document title holds the text too")
        script_shot = os.path.join(shots, "script-release.png")
        d.save_screenshot(script_shot)
        d.get(base + "/?q=" + urllib.parse.quote("ข่าวทดสอบการแสดงผล"))
        hit_titles = [a.text for a in d.find_elements(By.CSS_SELECTOR, "li.hit a.title")]
        check(SCRIPT_TITLE in hit_titles and no_alert(d) and d.execute_script("return typeof window.pwned") == "undefined",
              "in the results as well: shown as text, nothing ran")
        logs = d.get_log("browser")
        csp = [l["message"] for l in logs if "Content Security Policy" in l.get("message", "")]
        check(not csp, f"no Content-Security-Policy violation in the console ({csp[:2]})")

        # 7. Over plain HTTP: without JavaScript, error pages, limits.
        status, headers, text = http(base + "/?q=" + urllib.parse.quote(QUERY))
        check(status == 200 and 'class="hit"' in text and "<mark>" in text, "without JavaScript the page has its results (server-rendered)")
        csp_header = headers.get("Content-Security-Policy", "")
        check("script-src 'self'" in csp_header and "default-src 'none'" in csp_header and "unsafe-inline" not in csp_header,
              f"strict CSP header ({csp_header})")
        check(re.search(r"queryd;dur=[\d.]+", headers.get("Server-Timing", "")) is not None, "Server-Timing says the page's time")
        weight = len(text.encode()) + sum(len(http(base + m)[2].encode()) for m in re.findall(r'(?:href|src)="(/static/[^"]+)"', text))
        check(weight < 100_000, f"page weight (HTML + CSS + JS) {weight} bytes < 100 KB")
        status, _, text = http(base + "/release/123456789")
        check(status == 404 and "ไม่พบข่าวนี้" in text, f"a missing release: 404 page ({status})")
        status, _, text = http(base + "/no/such/page")
        check(status == 404 and "ไม่พบหน้านี้" in text, f"an unknown path: 404 page ({status})")
        status, _, text = http(base + "/?q=" + urllib.parse.quote("ซฟหกดซฟหกดซฟ"))
        check(status == 200 and 'id="no-results"' in text, "a query matching nothing: the no-results page")
        status, _, text = http(base + "/?q=x&month=2023-13")
        check(status == 400 and "month" in text, f"a bad parameter: 400 naming it ({status})")
        status, _, text = http(base + "/?q=" + urllib.parse.quote('"unterminated'))
        check(status == 400 and "คำค้นไม่ถูกต้อง" in text, f"a query that does not parse: 400 with the parser's message ({status})")
        status, headers, _ = http(base + "/?q=x", method="POST")
        check(status == 405 and headers.get("Allow") == "GET, HEAD", f"POST: 405 (no state-changing request at all) ({status})")
        status, headers, text = http(base + "/?q=" + urllib.parse.quote(QUERY), method="HEAD")
        check(status == 200 and text == "" and headers.get("Content-Type", "").startswith("text/html"), f"HEAD: 200, headers only ({status})")
        status, _, _ = http(base + "/", headers={"Host": "evil.example:80"})
        check(status == 421, f"a foreign Host header (DNS rebinding): 421 ({status})")
        status, _, _ = http(base + "/?q=" + "a" * 5000)
        check(status == 414, f"a URL over 4 KB: 414 ({status})")
        codes = [http(base + "/healthz")[0] for _ in range(150)]
        check(429 in codes and codes[0] == 200, f"past the rate limit: 429 ({codes.count(429)} of 150 back to back)")
        time.sleep(2.5)  # the bucket refills

        # 8. khaosan-queryd away: a 503 page, and the pages come back with it.
        queryd = procs[0]
        queryd.terminate()
        queryd.wait(20)
        procs.remove(queryd)
        status, _, text = http(base + "/?q=" + urllib.parse.quote(QUERY))
        check(status == 503 and "ระบบค้นหาไม่พร้อม" in text, f"khaosan-queryd stopped: a 503 page, not a crash ({status})")
        start("khaosan-queryd", ready=lambda: os.path.exists(os.path.join(home, "query.sock")))
        status, _, text = http(base + "/?q=" + urllib.parse.quote(QUERY))
        check(status == 200 and 'class="hit"' in text, f"khaosan-queryd back: the same page again, on a new connection ({status})")
    finally:
        for dr in drivers:
            try:
                dr.quit()
            except Exception:
                pass
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if failed or args.keep:
            print(f"logs kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    taken = [p for p in (locals().get("search_shot"), locals().get("release_shot"), locals().get("script_shot")) if p and os.path.exists(p)]
    print("screenshots: " + (" ".join(taken) if taken else "none taken"))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
