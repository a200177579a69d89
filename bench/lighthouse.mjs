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

// Lighthouse's default mobile run slows the CPU 4 times, meant for a host whose benchmark index is about 1,500; on a
// slower host the same multiplier emulates a slower phone. "calibrated" picks the multiplier that emulates the same
// phone on this host, along the line Lighthouse's throttling documentation points to (its CPU throttling calculator:
// index 150 = 1x, 800 = 2x, 1,300 = 3x, then 1x more every 233); "calibrated-busy" doubles it (the phone doing
// something else too).
function phoneMultiplier(index) {
  if (index >= 1300) return 3 + (index - 1300) / 233;
  if (index >= 800) return 2 + (index - 800) / 500;
  return Math.max(1, 1 + (index - 150) / 650);
}
async function run(url, multiplier) {
  return lighthouse(url, {
    output: "json", logLevel: "error", disableStorageReset: true, throttling: {cpuSlowdownMultiplier: multiplier},
  }, undefined, page);
}
let multiplier = Number(slowdown);
if (slowdown.startsWith("calibrated")) {
  const index = (await run(urls[0], 1)).lhr.environment.benchmarkIndex;
  multiplier = phoneMultiplier(index) * (slowdown === "calibrated-busy" ? 2 : 1);
  console.log(JSON.stringify({benchmarkIndex: index, multiplier}));
}
for (const url of urls) {
  const result = await run(url, multiplier);
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
  console.log(JSON.stringify({url, final: lhr.finalDisplayedUrl, scores, benchmarkIndex: lhr.environment.benchmarkIndex, work, tbt: audits["total-blocking-time"].numericValue,
    lcp: audits["largest-contentful-paint"].numericValue, cls: audits["cumulative-layout-shift"].numericValue, weak}));
}
await browser.close();
