import { type Page, expect, test } from "@playwright/test";
import { DEMO_URL, FAKE_API_KEY } from "./support/env";
import { fillRegistration, open, resetSimulator } from "./support/flow";

test.beforeEach(async () => {
  await resetSimulator();
});

/** Every CSP violation the page reports, from the event and from the console. */
async function watchForCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|compile|connect|frame)/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  return violations;
}

test("the whole flow leaks the API key nowhere and runs under the CSP without a violation", async ({ page, request }, testInfo) => {
  const violations = await watchForCspViolations(page);
  const responses: Array<Promise<string>> = [];
  page.on("response", (response) => {
    responses.push(
      (async () => {
        const headers = JSON.stringify(await response.allHeaders());
        // Redirects have no body to read.
        const body = await response.body().catch(() => Buffer.alloc(0));
        return `${response.status()} ${response.url()}\n${headers}\n${body.toString("latin1")}`;
      })(),
    );
  });

  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toBeVisible();
  await page.getByLabel("Code from the text message").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await page.reload();
  await expect(page.locator("html[data-hydrated]")).toBeAttached();

  // The bundle as served, whether or not the browser kept it in the responses above.
  const js = await page.locator('link[rel="modulepreload"]').getAttribute("href");
  const wasm = await page.locator('link[rel="preload"][as="fetch"]').getAttribute("href");
  const css = await page.locator('link[rel="stylesheet"]').getAttribute("href");
  expect(js).toMatch(/\.js$/);
  expect(wasm).toMatch(/\.wasm$/);
  expect(css).toMatch(/\.css$/);
  const bundle: string[] = [];
  for (const asset of [js!, wasm!, css!]) {
    const response = await request.get(asset);
    expect(response.ok(), asset).toBe(true);
    bundle.push((await response.body()).toString("latin1"));
  }
  expect(bundle[1].length, "the real WebAssembly file").toBeGreaterThan(10_000);

  const seen = await Promise.all(responses);
  const urls = seen.map((text) => text.split("\n")[0]);
  expect(urls.some((url) => url.includes("/api/verify_code")), "the server functions were seen").toBe(true);
  expect(urls.some((url) => url.endsWith(".wasm")), "the bundle was seen").toBe(true);
  for (const text of [...seen, ...bundle]) {
    expect(text.includes(FAKE_API_KEY), text.slice(0, 200)).toBe(false);
  }
  expect(violations).toEqual([]);
});

test("the page's policy carries the nonce of its hydration script", async ({ page }, testInfo) => {
  const response = await page.goto("/");
  const policy = (await response!.allHeaders())["content-security-policy"];
  await expect(page.locator("html[data-hydrated]")).toBeAttached();
  const nonce = policy.match(/'nonce-([^']+)'/)![1];
  // Browsers hide a nonce from the DOM attribute; the property keeps it.
  const scriptNonces = await page.locator("script[nonce]").evaluateAll((scripts) =>
    scripts.map((script) => (script as HTMLScriptElement).nonce),
  );
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  expect(policy).not.toContain("unsafe-inline");
  expect(policy).not.toContain("'unsafe-eval'");
  expect(usesStrictPolicy(policy)).toBe(true);
});

test("the resend wait counts down on the SMS screen", async ({ page }, testInfo) => {
  const violations = await watchForCspViolations(page);
  // The demo server keeps the default 30-second wait.
  await open(page, testInfo, DEMO_URL);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  const wait = page.getByText(/You can send a new code in \d+ seconds?\./);
  await expect(wait).toBeVisible();
  const first = Number((await wait.textContent())!.match(/\d+/)![0]);
  expect(first).toBeGreaterThan(25);
  await expect(wait).toHaveText(new RegExp(`in ${first - 2} seconds`), { timeout: 5_000 });
  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByRole("alert")).toContainText(/Too many attempts\. Please try again in \d+ seconds\./);
  expect(violations).toEqual([]);
});

function usesStrictPolicy(policy: string): boolean {
  return ["frame-ancestors 'none'", "form-action 'self'", "object-src 'none'", "base-uri 'self'", "'wasm-unsafe-eval'"].every(
    (directive) => policy.includes(directive),
  );
}
