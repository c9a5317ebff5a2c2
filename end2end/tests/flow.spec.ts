import { expect, test } from "@playwright/test";
import { DEMO_URL, FAKE_API_KEY } from "./support/env";
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

test("a merchant opens and verifies a Stamps.com account", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your free Stamps.com account");
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await expect(page.getByLabel("Mobile phone number")).toHaveValue("(512) 111-2222");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-2222");

  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await expect(page.locator("dd").first()).toHaveText("Main store");
  await expect(page.locator("dd code")).toHaveText(/^se-[a-z0-9]+$/);
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();

  // What ShipEngine received, call by call, with the operator's key.
  const received = await upstreamRequests();
  expect(received.map((r) => `${r.method} ${r.path.replace(/se-[a-z0-9]+/, ":carrier").replace(/vfn_\w+/, ":vfn")}`)).toEqual([
    "POST /v1/addresses/validate",
    "POST /v1/registration/stamps_com",
    "POST /v1/connections/carriers/stamps_com/:carrier/verification",
    "PUT /v1/connections/carriers/stamps_com/:carrier/verification/:vfn",
    // The done screen's balance.
    "GET /v1/carriers/:carrier",
  ]);
  expect(received.every((r) => r.api_key === FAKE_API_KEY)).toBe(true);
  expect(received[0].body).toEqual([
    {
      address_line1: "4009 Marathon Blvd",
      address_line2: "Ste 300",
      city_locality: "Austin",
      state_province: "TX",
      postal_code: "78756",
      country_code: "US",
    },
  ]);
  expect(received[1].body).toEqual({
    nickname: "Main store",
    email: "john.doe@example.com",
    agree_to_carrier_terms: true,
    address: {
      name: "John Doe",
      phone: "5121112222",
      company_name: "Example Corp.",
      address_line1: "4009 Marathon Blvd",
      address_line2: "Ste 300",
      city_locality: "Austin",
      state_province: "TX",
      postal_code: "78756",
      country_code: "US",
      address_residential_indicator: "no",
    },
    credit_card: {
      name: "John Doe",
      number: "4111111111111111",
      type: "visa",
      expiration_year: "2031",
      expiration_month: "07",
    },
  });
  expect(received[2].body).toEqual({ phone: "5121112222", verification_type: "sms" });
  expect(received[3].body).toEqual({ verification_code: "123456" });
});

test("a wrong code is refused clearly, then the right one is accepted", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();

  await page.getByLabel("Code from the text message").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await expect(page.getByLabel("Code from the text message")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("button", { name: "Send a new code" })).toBeAttached();

  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
});

test("a new code can be sent, to the same or another number", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toBeVisible();

  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-2222");

  await page.getByText("Use a different phone number").click();
  await page.getByLabel("Mobile phone number").fill("512.333.4444");
  await page.getByRole("button", { name: "Send code to this number" }).click();
  await expect(page.getByText("We sent a code to")).toContainText("(•••) •••-4444");

  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");

  const sends = (await upstreamRequests()).filter((r) => r.path.endsWith("/verification"));
  expect(sends.map((r) => r.body.phone)).toEqual(["5121112222", "5121112222", "5123334444"]);
});

test("ShipEngine refuses the registration: a clear message and nothing typed is lost", async ({ page }, testInfo) => {
  await injectFault("register", { kind: "refused" });
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();

  const summary = page.getByRole("alert");
  await expect(summary).toContainText("ShipEngine could not accept these details");
  await expect(summary).toContainText(/Reference for support: [0-9a-f-]{36}/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open your free Stamps.com account");

  if (usesJavaScript(testInfo)) {
    await expectRegistrationKept(page, merchant);
  } else {
    // A page rendered by the server never carries the card number back: it asks again.
    await expectRegistrationKept(page, merchant, ["Card number"]);
    await expect(page.getByLabel("Card number")).toHaveValue("");
    await expect(page.getByText("please enter it again")).toBeVisible();
    await page.getByLabel("Card number").fill(merchant["Card number"]);
  }

  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  const registrations = (await upstreamRequests()).filter((r) => r.path === "/v1/registration/stamps_com");
  expect(registrations).toHaveLength(2);
});

test("demo mode says so on every screen and accepts the code it shows", async ({ page }, testInfo) => {
  await open(page, testInfo, DEMO_URL);
  const banner = page.getByRole("note");
  await expect(banner).toContainText("Demo mode");
  await expect(banner).toContainText("no real account is created; the code is 123456");
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(banner).toContainText("the code is 123456");
  await page.getByRole("button", { name: "Send code" }).click();
  const code = (await banner.locator(".demo-code").textContent())!.trim();
  await page.getByLabel("Code from the text message").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  await expect(banner).toContainText("Demo mode");
});

test("the app with a key shows no demo banner", async ({ page }, testInfo) => {
  await open(page, testInfo);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("Demo mode")).toHaveCount(0);
});
