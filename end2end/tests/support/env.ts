// Where the test servers listen, and the fake API key the app is started with (distinctive, so
// a test can prove it never leaks). E2E_PORT_BASE moves every port, so two runs can share a
// machine.
const base = Number(process.env.E2E_PORT_BASE ?? 3100);
export const SIMULATOR_URL = `http://127.0.0.1:${base + 910}`;
export const APP_URL = `http://127.0.0.1:${base}`;
export const DEMO_URL = `http://127.0.0.1:${base + 1}`;
export const FAKE_API_KEY = "e2e_FAKEKEY_zq7Xw3Lk9Pv2Rt5Yb8Nc4Hd6";
// The admin console's sign-in on the app server; playwright.config.ts gives it this password's
// hash (`stamps-connect hash-admin-password`).
export const ADMIN_NAME = "E2E Support";
export const ADMIN_PASSWORD = "e2e console passphrase";
export const ADMIN_PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$qqXNvutX734z4wA/8vpJOg$31CKVsccjQ9OgNiApe2k963FO4eBsfN4ny+Tmmf+ows";
// The operator's platform (end2end/operator/platform.mjs): it receives the webhooks and serves
// the page merchants go back to.
export const PLATFORM_URL = `http://127.0.0.1:${base + 920}`;
// The operator's API token (the app is given its SHA-256) and the webhooks' signing secret.
export const OPERATOR_TOKEN = "e2e_operator_token_Vd3kQ9wLx2";
export const WEBHOOK_SECRET = "e2e_webhook_secret_Hs8pZ4nRt6Yc";
