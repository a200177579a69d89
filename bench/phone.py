"""The daily pages on a phone: what a slow phone on a slow link makes of them, signed in as the demo owner, against
gunicorn with the production settings and compressed, fingerprinted static files.

Chromium (Debian's, driven by Playwright) at 360 x 780 with its CPU slowed four times (eight with --busy: a cheap phone,
or one doing something else) and the network of a slow 4G link (150 ms, 1.6 Mbit/s down, 750 kbit/s up). Each page is
loaded cold (a new browser context, nothing cached) and then warm (the same context again). Prints per page:

- TBT: the total blocking time, each long task's time past 50 ms from the first paint until the page has been quiet
  for two seconds (what Lighthouse calls total blocking time, measured rather than simulated)
- LCP and FCP: when the largest and the first content were painted
- CLS: the layout shift a person sees, added up
- requests before the first paint, and the CSS and scripts among them

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ifarm_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/phone.py [--busy] [--pages /home/ /milk/]

With --lighthouse, Lighthouse's own mobile run follows for each page (its scores, the audits under 0.9), signed in
through bench/lighthouse.mjs (Lighthouse's `--extra-headers` reach the page but not its htmx requests, which then
answer "signed out"). Lighthouse comes from the npm registry into var/lighthouse the first time.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from bench import server  # noqa: E402

PAGES = ["/home/", "/milk/", "/milk/entry/", "/herd/", "/herd/{cow}/", "/breeding/today/", "/breeding/animals/{cow}/",
         "/health/", "/money/approvals/", "/money/invoices/{invoice}/"]

# Long tasks, layout shifts and paints, recorded from the first byte of the page.
OBSERVE = """
window.__phone = {tasks: [], shift: 0, lcp: 0};
new PerformanceObserver(list => list.getEntries().forEach(e => __phone.tasks.push([e.startTime, e.duration])))
  .observe({type: "longtask", buffered: true});
new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) __phone.shift += e.value; }))
  .observe({type: "layout-shift", buffered: true});
new PerformanceObserver(list => list.getEntries().forEach(e => { __phone.lcp = e.startTime; }))
  .observe({type: "largest-contentful-paint", buffered: true});
"""
RESULT = """() => {
  const fcp = (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime || 0;
  const blocking = __phone.tasks.filter(([start]) => start >= fcp).reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0);
  const before = performance.getEntriesByType("resource").filter(r => r.startTime < fcp);
  return {tbt: blocking, fcp, lcp: __phone.lcp, cls: __phone.shift, longest: Math.max(0, ...__phone.tasks.map(t => t[1])),
          early: before.length, blockingCss: before.filter(r => r.initiatorType === "link" && r.name.endsWith(".css")).length,
          requests: performance.getEntriesByType("resource").length};
}"""


def _manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _ids() -> dict:
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from apps.finance.models import Invoice
    from apps.herd.models import Animal

    with scopes_disabled():
        cow = Animal.objects.filter(tenant__slug="green-valley-dairy", sex="female", lactations__isnull=False).order_by("pk").first()
        invoice = Invoice.objects.filter(tenant_id=cow.tenant_id).exclude(number="").order_by("pk").first()
    return {"cow": cow.pk, "invoice": invoice.pk}


def _load(browser, base: str, state: dict, path: str, slowdown: int, warm: bool) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 780}, storage_state=state, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.add_init_script(OBSERVE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
                                                  "uploadThroughput": 750e3 / 8})
    if warm:
        page.goto(base + path, wait_until="networkidle")
    page.goto(base + path, wait_until="networkidle")
    page.wait_for_timeout(2000)
    found = page.evaluate(RESULT)
    context.close()
    return found


def _lighthouse(cookies: list[dict], slowdown: int, urls: list[str]) -> None:
    home = ROOT / "var" / "lighthouse"
    if not (home / "node_modules" / "lighthouse").exists():
        subprocess.run(["npm", "install", "--prefix", str(home), "lighthouse@12", "--no-audit", "--no-fund", "--silent"],
                       check=True)
    shutil.copy(ROOT / "bench" / "lighthouse.mjs", home / "lighthouse.mjs")  # where node finds lighthouse
    jar = [{"name": c["name"], "value": c["value"], "domain": c["domain"], "path": c["path"]} for c in cookies]
    run = subprocess.run(["node", str(home / "lighthouse.mjs"), json.dumps(jar), str(slowdown), *urls], cwd=home,
                         capture_output=True, text=True, check=False)
    print(f"Lighthouse, mobile, CPU slowed {slowdown}" + ("" if str(slowdown).startswith("calibrated") else "x"))
    print(f"{'page':40} perf  a11y  best   seo  TBT ms  LCP ms    CLS")
    for line in run.stdout.splitlines():
        found = json.loads(line)
        if "url" not in found:
            print(f"  this host's benchmark index {found['benchmarkIndex']:.0f}: the CPU slowed {found['multiplier']:.1f}x")
            continue
        path = found["url"].split("/", 3)[-1]
        if "error" in found:
            print(f"/{path:39} Lighthouse failed: {found['error']}")
            continue
        s = found["scores"]
        note = "" if found["final"] == found["url"] else f"  (ended at {found['final']})"
        print(f"/{path:39} {s['performance']:4}  {s['accessibility']:4}  {s['best-practices']:4}  {s['seo']:4}  "
              f"{found['tbt']:6.0f}  {found['lcp']:6.0f}  {found['cls']:.3f}{note}")
        if found.get("work"):
            print(f"{'':40} main thread, ms: {'; '.join(found['work'])}")
        if found["weak"]:
            print(f"{'':40} under 0.9: {'; '.join(found['weak'][:8])}")
    if run.returncode:
        print(run.stderr[-2000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--busy", action="store_true", help="slow the CPU eight times instead of four")
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--lighthouse", action="store_true", help="also Lighthouse's scores for each page")
    parser.add_argument("--calibrated", action="store_true",
                        help="Lighthouse slows the CPU by this host's benchmark index (as its documentation advises) "
                             "rather than by a fixed 4 or 8")
    options = parser.parse_args()
    _manage("migrate", "--no-input")
    _manage("seed_demo")
    _manage("collectstatic", "--no-input")
    ids = _ids()
    port = server.free_port()
    process = server.start(port, workers=2, threads=2, production_static=True, app="bench.compressed_wsgi:application")
    base = f"http://127.0.0.1:{port}"
    slowdown = 8 if options.busy else 4
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=login]", "owner@demo.ifarm.test")
            page.fill("input[name=password]", "demo-farm-2026")
            page.click("form button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            state = context.storage_state()
            context.close()
            if options.lighthouse:
                chosen = ("calibrated-busy" if options.busy else "calibrated") if options.calibrated else slowdown
                _lighthouse(state["cookies"], chosen, [base + path.format(**ids) for path in options.pages])
            print(f"CPU slowed {slowdown}x, slow 4G; cold / warm")
            print(f"{'page':28} {'TBT ms':>13} {'FCP ms':>13} {'LCP ms':>13} {'CLS':>11} {'longest':>8} early css")
            for path in options.pages:
                cold = _load(browser, base, state, path.format(**ids), slowdown, warm=False)
                warm = _load(browser, base, state, path.format(**ids), slowdown, warm=True)
                print(f"{path:28} {cold['tbt']:6.0f}/{warm['tbt']:<6.0f} {cold['fcp']:6.0f}/{warm['fcp']:<6.0f} "
                      f"{cold['lcp']:6.0f}/{warm['lcp']:<6.0f} {cold['cls']:.3f}/{warm['cls']:.3f} {cold['longest']:8.0f} "
                      f"{cold['early']:5} {cold['blockingCss']:3}")
            browser.close()
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
