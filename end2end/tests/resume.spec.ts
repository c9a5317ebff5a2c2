import { expect, type Page, test } from "@playwright/test";
import {
  expectRegistrationKept,
  fillRegistration,
  injectFault,
  merchant,
  open,
  resetSimulator,
  upstreamRequests,
  usesJavaScript,
} from "./support/flow";

test.beforeEach(async () => {
  await resetSimulator();
});

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const registrations = async () =>
  (await upstreamRequests()).filter((r) => r.path === "/v1/registration/stamps_com");

test("a reload or a reopened tab returns the merchant to their step", async ({ page, context }, testInfo) => {
  await open(page, testInfo);
  // A page view writes nothing: the form's key is kept once the form is first sent.
  await page.reload();
  await expect(page.locator('input[name="idempotency_key"]')).toHaveValue(/^[0-9a-f-]{36}$/);

  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(heading(page)).toHaveText("Confirm your phone number");

  await page.reload();
  await expect(heading(page)).toHaveText("Confirm your phone number");
  await expect(page.getByLabel("Mobile phone number")).toHaveValue("(512) 111-2222");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-2222");

  // The tab is closed and opened again: same browser, same session.
  await page.close();
  const reopened = await context.newPage();
  await open(reopened, testInfo);
  await expect(heading(reopened)).toHaveText("Confirm your phone number");
  await expect(reopened.getByText("We sent a code to")).toContainText("(•••) •••-2222");

  await reopened.getByLabel("Code from the text message").fill("123456");
  await reopened.getByRole("button", { name: "Verify" }).click();
  await expect(heading(reopened)).toHaveText("Your Stamps.com account is ready");
  await reopened.reload();
  await expect(heading(reopened)).toHaveText("Your Stamps.com account is ready");
  expect(await registrations()).toHaveLength(1);
});

test("what was typed survives a reload and a reopened tab, the card number excepted", async ({ page, context }, testInfo) => {
  await injectFault("register", { kind: "refused" });
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toContainText("ShipEngine could not accept these details");

  await page.reload();
  await expectRegistrationKept(page, merchant, ["Card number"]);
  await expect(page.getByLabel("Card number")).toHaveValue("");

  await page.close();
  const reopened = await context.newPage();
  await open(reopened, testInfo);
  await expectRegistrationKept(reopened, merchant, ["Card number"]);
  await reopened.getByLabel("Card number").fill(merchant["Card number"]);
  await reopened.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(heading(reopened)).toHaveText("Confirm your phone number");
});

test("an unknown outcome is said plainly, and the form is not sent again", async ({ page }, testInfo) => {
  await injectFault("register", { kind: "drop_connection" });
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();

  const summary = page.getByRole("alert");
  await expect(summary).toContainText("we cannot tell whether your Stamps.com account was opened");
  await expect(summary).toContainText("Please do not enter your card again");
  await expect(summary).toContainText(/Reference for support: [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);
  const reference = await summary.locator("code").textContent();

  await page.reload();
  await expect(page.getByRole("alert")).toContainText(reference ?? "missing");
  await page.getByLabel("Card number").fill(merchant["Card number"]);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toContainText("Please do not enter your card again");
  expect(await registrations()).toHaveLength(1);
});

test("a session lost on the code step sends the merchant back to an empty form", async ({ page, context }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");

  await context.clearCookies();
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your free Stamps.com account");
  await expect(page.getByLabel("Account nickname")).toHaveValue("");
  if (usesJavaScript(testInfo)) {
    // The form the browser built (or the server rendered, without JavaScript) works.
    await expect(page.locator("html[data-hydrated]")).toBeAttached();
    await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
    await expect(page.getByRole("alert")).toBeFocused();
  }
  expect((await upstreamRequests()).filter((r) => r.path.endsWith("/verification"))).toHaveLength(0);
});
