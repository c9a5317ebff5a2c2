import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { ADMIN_NAME, ADMIN_PASSWORD } from "./support/env";
import { fillRegistration, injectFault, merchant, open, resetSimulator, usesJavaScript } from "./support/flow";

// The admin console has no script at all: the same pages with JavaScript on and off.
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * axe runs as a script. Without JavaScript, the page as the browser received it is audited in a
 * context that may run scripts, at the same origin (so its stylesheet loads).
 */
async function expectNoViolations(page: Page, browser: Browser, testInfo: TestInfo, screen: string) {
  let audited = page;
  const context = usesJavaScript(testInfo)
    ? null
    : await browser.newContext({ baseURL: testInfo.project.use.baseURL, javaScriptEnabled: true });
  if (context) {
    audited = await context.newPage();
    await audited.goto("/no-such-page");
    await audited.setContent(await page.content(), { waitUntil: "load" });
  }
  const results = await new AxeBuilder({ page: audited }).withTags(WCAG_TAGS).analyze();
  await context?.close();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(found, `axe violations on ${screen}`).toEqual([]);
}

test.beforeEach(async () => {
  await resetSimulator();
});

test("support signs in, finds a registration with an unknown outcome, settles it and sees the audit entry", async ({ page, browser }, testInfo) => {
  // A merchant whose registration got no usable answer from ShipEngine.
  const email = `admin-e2e-${testInfo.project.name}-${Date.now()}@example.com`;
  // Its own carrier id: one carrier is never given to two registrations.
  const carrierId = `se-${testInfo.project.name}-${Date.now()}`;
  await injectFault("register", { kind: "unavailable" });
  await open(page, testInfo);
  await fillRegistration(page, { ...merchant, "Email address": email });
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toContainText("did not get an answer");

  // Signed out, the console sends to its sign-in.
  await page.goto("/admin/registrations");
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to the admin console");
  await expectNoViolations(page, browser, testInfo, "the sign-in");
  await page.getByLabel("Your name").fill(ADMIN_NAME);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Overview");
  await expect(page.getByRole("img", { name: /The funnel of the last 30 days/ })).toBeVisible();
  await expectNoViolations(page, browser, testInfo, "the overview");

  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Registrations" }).click();
  await page.getByLabel("Email, reference or merchant ref").fill(email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("1 registration.")).toBeVisible();
  await expectNoViolations(page, browser, testInfo, "the registrations");
  const row = page.getByRole("row", { name: new RegExp(email.replace(/[.]/g, "\\.")) });
  await expect(row).toContainText("Outcome unknown");
  await row.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Registration");
  await expect(page.getByRole("heading", { name: "Settle this registration" })).toBeVisible();

  // A note is required: the form says so, keeping what was chosen.
  await page.getByRole("radio", { name: "It opened the account" }).check();
  await page.getByRole("textbox", { name: /^Carrier id/ }).fill(carrierId);
  await page.getByRole("button", { name: "Settle" }).click();
  await expect(page.getByRole("alert")).toContainText("Write a note: how you found out");
  await expect(page.getByRole("textbox", { name: /^Carrier id/ })).toHaveValue(carrierId);
  await expectNoViolations(page, browser, testInfo, "the settle form with an error");

  await page.getByLabel("Note").fill("Found it in the ShipEngine dashboard");
  await page.getByRole("button", { name: "Settle" }).click();
  await expect(page.getByRole("status")).toContainText(`Settled as registered, carrier ${carrierId}.`);
  await expect(page.getByRole("heading", { name: "Settle this registration" })).toHaveCount(0);
  const audit = page.getByRole("region", { name: "Audit log" });
  const entry = audit.getByRole("row", { name: /settled_registered/ });
  await expect(entry).toContainText(`admin:${ADMIN_NAME}`);
  await expect(entry).toContainText("Found it in the ShipEngine dashboard");
  await expectNoViolations(page, browser, testInfo, "the settled registration");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
});
