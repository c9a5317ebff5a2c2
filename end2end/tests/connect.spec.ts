import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { FAKE_API_KEY, SIMULATOR_URL } from "./support/env";
import { open, resetSimulator, upstreamRequests, usesJavaScript } from "./support/flow";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const PASSWORD = "stamps-demo-password";
const WRONG_PASSWORD = "not-my-password";

/**
 * An existing Stamps.com account of its own for each test: the simulator is shared by both
 * projects and every run, and an account connects only once (the demo login's behaviour, with
 * the demo's password).
 */
async function existingAccount(testInfo: TestInfo): Promise<string> {
  const username = `shop-${testInfo.project.name}-${testInfo.title.length}-${Date.now()}`;
  const response = await fetch(`${SIMULATOR_URL}/__simulator/stamps_logins`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(response.ok).toBeTruthy();
  return username;
}

async function expectNoViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(found, `axe violations on ${screen}`).toEqual([]);
}

/** axe is a script: without JavaScript it runs in a page whose own JS and WASM are blocked. */
async function auditedPage(page: Page, browser: Browser, testInfo: TestInfo): Promise<Page> {
  if (usesJavaScript(testInfo)) return page;
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, javaScriptEnabled: true });
  await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  return context.newPage();
}

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

async function fillLogin(page: Page, username: string, password: string) {
  await page.getByLabel("Account nickname").fill("Corner shop");
  await page.getByLabel("Stamps.com username").fill(username);
  await page.getByLabel("Stamps.com password").fill(password);
  await page.getByRole("button", { name: "Connect my account" }).click();
}

test.beforeEach(async () => {
  await resetSimulator();
});

test("a merchant connects the Stamps.com account they already have, then manages it", async ({ page }, testInfo) => {
  const username = await existingAccount(testInfo);
  await open(page, testInfo);
  await page.getByRole("link", { name: "Connect it instead" }).click();
  await expect(heading(page)).toHaveText("Connect your Stamps.com account");
  await expect(page).toHaveURL(/\/connect$/);

  // A wrong password: the message, the password field empty, the username kept.
  await fillLogin(page, username, WRONG_PASSWORD);
  await expect(page.getByRole("alert")).toContainText("Stamps.com did not accept this username and password.");
  await expect(page.getByLabel("Stamps.com password")).toHaveValue("");
  await expect(page.getByLabel("Stamps.com password")).toHaveAttribute("autocomplete", "current-password");
  await expect(page.getByLabel("Stamps.com username")).toHaveValue(username);
  await expect(page.getByLabel("Account nickname")).toHaveValue("Corner shop");
  expect(await page.content()).not.toContain(WRONG_PASSWORD);

  // The right one: the done screen.
  await page.getByLabel("Stamps.com password").fill(PASSWORD);
  await page.getByRole("button", { name: "Connect my account" }).click();
  await expect(heading(page)).toHaveText("Your Stamps.com account is ready");
  await expect(page.locator("dd").first()).toHaveText("Corner shop");
  await expect(page.locator("dd code")).toHaveText(/^se-[a-z0-9]+$/);
  const carrierId = await page.locator("dd code").innerText();

  // "Manage on Stamps.com": three links, each opening the account in a new tab.
  await page.getByRole("link", { name: "Manage on Stamps.com" }).click();
  await expect(heading(page)).toHaveText("Manage your Stamps.com account");
  const links = page.getByRole("link", { name: /\(opens in a new tab\)$/ });
  await expect(links).toHaveCount(3);
  for (const [index, name] of ["Change your card", "Account settings", "Balance reports"].entries()) {
    const link = links.nth(index);
    await expect(link).toContainText(name);
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer");
    await expect(link).toHaveAttribute("href", new RegExp(`^https://account\\.stamps-simulator\\.test/.*carrier_id=${carrierId}`));
  }
  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(heading(page)).toHaveText("Your Stamps.com account is ready");

  // What ShipEngine received: two tries of the login (the first refused), then the links.
  const received = (await upstreamRequests()).filter((r) => r.path.startsWith("/v1/connections/carriers/stamps_com"));
  expect(received.map((r) => `${r.method} ${r.path.replace(/se-[a-z0-9]+/, ":carrier")}`)).toEqual([
    "POST /v1/connections/carriers/stamps_com",
    "POST /v1/connections/carriers/stamps_com",
    "PUT /v1/connections/carriers/stamps_com/:carrier/request_account_url",
  ]);
  expect(received.every((r) => r.api_key === FAKE_API_KEY)).toBe(true);
  expect(received[1].body).toMatchObject({ nickname: "Corner shop", username });
  expect(received[2].body).toEqual({ url_types: ["payment_methods", "account_settings", "report_balances"] });
});

test("the connect page, its errors and the links have no WCAG 2.2 AA violation", async ({ page: fixture, browser }, testInfo) => {
  const username = await existingAccount(testInfo);
  const page = await auditedPage(fixture, browser, testInfo);
  await page.goto("/connect");
  await expectNoViolations(page, "the connect form");

  await page.getByRole("button", { name: "Connect my account" }).click();
  await expect(page.getByRole("alert")).toContainText("There is a problem");
  await expect(page.getByRole("link", { name: "Enter your Stamps.com password" })).toHaveAttribute("href", "#password");
  await expectNoViolations(page, "the connect form with field errors");

  await fillLogin(page, username, WRONG_PASSWORD);
  await expect(page.getByRole("alert")).toContainText("did not accept");
  await expectNoViolations(page, "the connect form refused");

  await page.getByLabel("Stamps.com password").fill(PASSWORD);
  await page.getByRole("button", { name: "Connect my account" }).click();
  await expect(heading(page)).toHaveText("Your Stamps.com account is ready");
  await expectNoViolations(page, "the done screen with its link");

  await page.getByRole("link", { name: "Manage on Stamps.com" }).click();
  await expect(heading(page)).toHaveText("Manage your Stamps.com account");
  await expectNoViolations(page, "the links");
});

test("the choice and the connect page read in Spanish", async ({ browser }, testInfo) => {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: usesJavaScript(testInfo),
    locale: "es-US",
  });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "Conéctela" }).click();
  await expect(heading(page)).toHaveText("Conecte su cuenta de Stamps.com");
  await page.getByRole("button", { name: "Conectar mi cuenta" }).click();
  await expect(page.getByRole("alert")).toContainText("Ingrese su contraseña de Stamps.com");
  await context.close();
});
