import { createHmac, timingSafeEqual } from "node:crypto";
import { expect, test } from "@playwright/test";
import { APP_URL, OPERATOR_TOKEN, PLATFORM_URL, WEBHOOK_SECRET } from "./support/env";
import { open, resetSimulator } from "./support/flow";

test.beforeEach(async () => {
  await resetSimulator();
});

type Received = { headers: Record<string, string>; body: string };

/** The platform's record of the webhooks it received. */
async function webhooks(): Promise<Received[]> {
  return (await fetch(`${PLATFORM_URL}/received`)).json();
}

/** Checks a webhook's signature as a receiver would: its own HMAC over "t.body". */
function signatureIsValid(webhook: Received): boolean {
  const header = webhook.headers["stamps-connect-signature"] ?? "";
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${webhook.body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test("the operator mints a link, the merchant finishes on a phone, the platform hears of it", async ({
  page,
}, testInfo) => {
  const merchantRef = `merchant-${testInfo.project.name}-${Date.now()}`;
  const minted = await fetch(`${APP_URL}/operator/v1/links`, {
    method: "POST",
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      merchant_ref: merchantRef,
      prefill: {
        nickname: "Corner shop",
        email: "ana@example.com",
        name: "Ana Díaz",
        phone: "(512) 111-2222",
        address_line1: "4009 Marathon Blvd",
        city_locality: "Austin",
        state_province: "TX",
        postal_code: "78756",
      },
      return_url: `${PLATFORM_URL}/back?from=stamps`,
    }),
  });
  expect(minted.status).toBe(201);
  const link = await minted.json();
  expect(link.url).toMatch(/\/start\/[A-Za-z0-9_-]{40,}$/);

  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, testInfo, link.url);
  await expect(page).toHaveURL(`${APP_URL}/`);
  // What the platform knew is already typed; the merchant adds the rest.
  await expect(page.getByLabel("Account nickname")).toHaveValue("Corner shop");
  await expect(page.getByLabel("Email address")).toHaveValue("ana@example.com");
  await expect(page.getByLabel("ZIP code")).toHaveValue("78756");
  await expect(page.getByLabel("Card number")).toHaveValue("");
  await page.getByLabel("Name on card").fill("Ana Díaz");
  await page.getByLabel("Card number").fill("4111 1111 1111 1111");
  await page.getByLabel("Month").fill("07");
  await page.getByLabel("Year").fill("2031");
  await page.getByLabel("No, it is a business").check();
  await page.getByLabel("I agree to the").check();
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code from the text message").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Stamps.com account is ready");
  const carrierId = (await page.locator("dd code").textContent())!.trim();

  await page.getByRole("link", { name: /back to/i }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Back at the platform");
  const back = new URL(page.url());
  expect(back.origin).toBe(PLATFORM_URL);
  expect(back.searchParams.get("from")).toBe("stamps");
  expect(back.searchParams.get("merchant_ref")).toBe(merchantRef);
  expect(back.searchParams.get("status")).toBe("verified");
  expect(back.searchParams.get("carrier_id")).toBe(carrierId);

  // The webhook worker delivers within a poll or two.
  let verified: Received | undefined;
  await expect
    .poll(async () => {
      verified = (await webhooks()).find((w) => {
        const event = JSON.parse(w.body);
        return event.type === "registration.verified" && event.data.merchant_ref === merchantRef;
      });
      return verified !== undefined;
    })
    .toBe(true);
  expect(signatureIsValid(verified!)).toBe(true);
  const event = JSON.parse(verified!.body);
  expect(event.data.carrier_id).toBe(carrierId);
  expect(event.data.status).toBe("verified");
  expect(verified!.headers["stamps-connect-event-id"]).toBe(event.id);
  // A tampered body does not pass the receiver's check.
  expect(signatureIsValid({ ...verified!, body: verified!.body.replace("verified", "failed") })).toBe(false);
});
