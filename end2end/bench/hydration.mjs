// Time from navigation to hydrated: loads the page N times in headless Chromium, each in a fresh
// context (an empty cache, as a merchant's first visit), and prints the `hydrated` performance
// mark's times in milliseconds as JSON.
//
//   node end2end/bench/hydration.mjs http://127.0.0.1:3000/ 7
import { chromium } from "@playwright/test";

const [url, loads = "7"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const times = [];
for (let i = 0; i < Number(loads); i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector("html[data-hydrated]");
  times.push(await page.evaluate(() => performance.getEntriesByName("hydrated")[0].startTime));
  await context.close();
}
await browser.close();
console.log(JSON.stringify(times));
