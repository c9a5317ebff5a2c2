// Where the test servers listen, and the fake API key the app is started with (distinctive, so
// a test can prove it never leaks).
export const SIMULATOR_URL = "http://127.0.0.1:4010";
export const APP_URL = "http://127.0.0.1:3100";
export const DEMO_URL = "http://127.0.0.1:3101";
export const FAKE_API_KEY = "e2e_FAKEKEY_zq7Xw3Lk9Pv2Rt5Yb8Nc4Hd6";
