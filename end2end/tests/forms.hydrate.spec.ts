import { expect, test } from "@playwright/test";
import { expectRegistrationKept, fillRegistration, merchant, open, resetSimulator, upstreamRequests } from "./support/flow";

test.beforeEach(async () => {
  await resetSimulator();
});

test("the card number is grouped as typed and its brand shown, never asked for", async ({ page }, testInfo) => {
  await open(page, testInfo);
  const card = page.getByLabel("Card number");
  await card.pressSequentially("4111111111111111");
  await expect(card).toHaveValue("4111 1111 1111 1111");
  await expect(page.getByText("Visa card")).toBeVisible();

  await card.fill("");
  await card.pressSequentially("378282246310005");
  await expect(card).toHaveValue("3782 822463 10005");
  await expect(page.getByText("American Express card")).toBeVisible();

  await card.fill("");
  await card.pressSequentially("2221000000000009");
  await expect(page.getByText("Mastercard card")).toBeVisible();
});

test("a card number no brand starts with is flagged while typing, and the message goes once fixed", async ({ page }, testInfo) => {
  await open(page, testInfo);
  const card = page.getByLabel("Card number");
  await card.pressSequentially("9");
  await expect(page.locator("#card_number-error")).toContainText("We accept Visa, Mastercard, American Express and Discover");
  await expect(card).toHaveAttribute("aria-invalid", "true");
  // Nothing else is judged before submit.
  await expect(page.locator("[aria-invalid=true]")).toHaveCount(1);

  await card.fill("");
  await card.pressSequentially("4242424242424242");
  await expect(page.locator("#card_number-error")).toHaveCount(0);
  await expect(card).not.toHaveAttribute("aria-invalid", "true");
});

test("a failed submit moves focus to the error summary", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("alert")).toBeFocused();
  await page.getByRole("alert").getByRole("link", { name: "Enter your card number" }).click();
  await expect(page.getByLabel("Card number")).toBeFocused();
});

test("the code can be pasted, spaces and all", async ({ page, context }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  const code = page.getByLabel("Code from the text message");
  await expect(code).toHaveAttribute("inputmode", "numeric");
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  await page.evaluate(() => navigator.clipboard.writeText(" 123 456 "));
  await code.focus();
  await page.keyboard.press("ControlOrMeta+V");
  await expect(code).toHaveValue(" 123 456 ");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
});

test("'Send a new code' goes to the last number, not one half-typed in 'use a different number'", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-2222");

  await page.getByText("Use a different phone number").click();
  await page.getByLabel("Mobile phone number").fill("512 33");
  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect.poll(async () => {
    const sends = (await upstreamRequests()).filter((r) => r.path.endsWith("/verification"));
    return sends.map((r) => r.body.phone);
  }).toEqual(["5121112222", "5121112222"]);
});

test("a dropped connection says so, keeps every field, and a retry opens one account", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  let dropped = false;
  await page.route("**/api/register", async (route) => {
    if (dropped) return route.continue();
    dropped = true;
    await route.abort("internetdisconnected");
  });
  const submit = page.getByRole("button", { name: "Open my Stamps.com account" });
  await submit.click();
  await expect(page.getByRole("alert")).toContainText("We could not reach our server. Check your internet connection, then try again.");
  await expect(page.getByRole("alert")).toBeFocused();
  await expectRegistrationKept(page, merchant);
  expect(await upstreamRequests()).toHaveLength(0);

  await submit.click();
  await expect(page.getByRole("heading", { name: "Confirm your phone number" })).toBeVisible();
  expect((await upstreamRequests()).filter((r) => r.path === "/v1/registration/stamps_com")).toHaveLength(1);
});

test("focus goes to the code field once a code is sent, and again for a new number", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  const code = page.getByLabel("Code from the text message");
  await expect(code).toBeFocused();
  await page.keyboard.type("111");

  // The same number again: the code typed so far stays.
  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect.poll(async () => (await upstreamRequests()).filter((r) => r.path.endsWith("/verification")).length).toBe(2);
  await expect(code).toHaveValue("111");

  // Another number: its own form, empty, with focus.
  await page.getByText("Use a different phone number").click();
  await page.getByLabel("Mobile phone number").fill("512.333.4444");
  await page.getByRole("button", { name: "Send code to this number" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-4444");
  await expect(code).toBeFocused();
  await expect(code).toHaveValue("");
});
