import { expect, test } from "@playwright/test";
import { APP_URL, DEMO_URL } from "./support/env";
import { fillRegistration, open, resetSimulator, upstreamRequests } from "./support/flow";

test.beforeEach(async () => {
  await resetSimulator();
});

test("every page and server function answer carries the security headers", async ({ request }) => {
  const page = await request.get("/");
  const call = await request.post("/api/send_code", {
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: APP_URL },
    data: "phone=5121112222",
  });
  for (const response of [page, call]) {
    const headers = response.headers();
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["permissions-policy"]).toContain("camera=()");
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    // Plain http here: HSTS would be wrong.
    expect(headers["strict-transport-security"]).toBeUndefined();
  }
  expect(page.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[\w-]+' 'wasm-unsafe-eval'/);
});

test("a form on another site cannot post to the server functions", async ({ page }, testInfo) => {
  // The merchant is mid-flow, so a forged "send code" would have a carrier to act on.
  await open(page, testInfo);
  await fillRegistration(page);
  await page.getByRole("button", { name: "Open my Stamps.com account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your phone number");
  await resetSimulator();

  // Another site, and a site on the same host but another port (which the browser still sends
  // the merchant's SameSite=Lax cookie from).
  for (const other of ["http://evil.example", DEMO_URL]) {
    const forgery = `${other}/win-a-prize`;
    await page.route(forgery, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><title>Win a prize</title>
          <form method="post" action="${APP_URL}/api/send_code">
            <input name="phone" value="5121112222"><button>Claim</button>
          </form>`,
      }),
    );
    await page.goto(forgery);
    const [refused] = await Promise.all([
      page.waitForResponse(`${APP_URL}/api/send_code`),
      page.getByRole("button", { name: "Claim" }).click(),
    ]);
    expect(refused.status(), other).toBe(403);
    await expect(page.getByText("came from another website")).toBeVisible();
  }
  expect(await upstreamRequests()).toEqual([]);

  // The merchant's own page still works.
  await open(page, testInfo);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("We sent a code to")).toBeVisible();
  expect(await upstreamRequests()).toHaveLength(1);
});
