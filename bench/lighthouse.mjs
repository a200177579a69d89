// Lighthouse on a signed-in page: Chromium started by puppeteer-core with the session's cookies set, then Lighthouse's
// mobile run on it. Called by bench/phone.py --lighthouse; prints one JSON line a page.
// Usage: node bench/lighthouse.mjs <cookies json> <cpu slowdown> <url>...
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [cookies, slowdown, ...urls] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage();
await browser.setCookie(...JSON.parse(cookies));
for (const url of urls) {
  const result = await lighthouse(url, {
    output: "json", logLevel: "error", disableStorageReset: true,
    throttling: {cpuSlowdownMultiplier: Number(slowdown)},
  }, undefined, page);
  const lhr = result.lhr;
  if (lhr.runtimeError) {
    console.log(JSON.stringify({url, error: lhr.runtimeError.message}));
    continue;
  }
  const scores = Object.fromEntries(Object.entries(lhr.categories).map(([k, v]) => [k, Math.round(100 * (v.score || 0))]));
  const audits = lhr.audits;
  const weak = Object.values(audits).filter(a => a.score !== null && a.score < 0.9 &&
    ["binary", "numeric", "metricSavings"].includes(a.scoreDisplayMode)).map(a => a.title);
  // Where the main thread's time went (style and layout, script evaluation, parsing...), the largest first.
  const work = (audits["mainthread-work-breakdown"].details?.items || []).slice(0, 4)
    .map(i => `${i.groupLabel || i.group} ${Math.round(i.duration)}`);
  console.log(JSON.stringify({url, final: lhr.finalDisplayedUrl, scores, work, tbt: audits["total-blocking-time"].numericValue,
    lcp: audits["largest-contentful-paint"].numericValue, cls: audits["cumulative-layout-shift"].numericValue, weak}));
}
await browser.close();
