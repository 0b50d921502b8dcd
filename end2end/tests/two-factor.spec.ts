import { test, expect, type Page } from "@playwright/test";
import * as crypto from "crypto";
import { hydrated, PASSWORD, snap, verifiedAccount } from "./support";

/** RFC 6238 (HMAC-SHA-1, 6 digits, 30 s), computed here from the secret the page shows. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of secret.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const digest = crypto.createHmac("sha1", Buffer.from(bytes)).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const number = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, "0");
}

/** Waits for the next 30-second step: each step's code is accepted once. */
async function nextStep(after: number) {
  const boundary = (Math.floor(after / 30_000) + 1) * 30_000;
  await new Promise((r) => setTimeout(r, Math.max(0, boundary - Date.now()) + 200));
}

async function logIn(page: Page, user: string) {
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(user);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/login\/verify$/);
}

async function logOut(page: Page) {
  await page.context().clearCookies();
}

test("two-factor: turn it on, sign in with a code, a recovery code, without JavaScript, turn it off", async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const user = await verifiedAccount(page, "tfa");
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username or email").fill(user);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("mfa-status")).toContainText("Off");

  // turn it on: the QR code is inline SVG, the key is text
  await page.getByTestId("link-two-factor").click();
  await page.waitForURL(/\/profile\/two-factor$/);
  await expect(page.locator(".qr svg")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await snap(page, "two-factor-setup");
  await hydrated(page);
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  if (totp(secret) !== "000000") {
    await expect(page.getByTestId("error-code")).toHaveText(
      "Invalid code. Please check your authenticator app and try again.",
    );
  }
  // a wrong code keeps the same key: the app already holds it
  await expect(page.getByTestId("totp-secret")).toHaveText(secret);
  const activatedAt = Date.now();
  await page.getByLabel("Code from the app").fill(totp(secret, activatedAt));
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile\/two-factor\/codes\?notice=totp_enabled/);
  // the codes render after the URL changes (client-side navigation): wait for them
  await expect(page.getByTestId("recovery-code")).toHaveCount(10);
  const codes = (await page.getByTestId("recovery-code").allTextContents()).map((c) => c.trim());
  const download = await page.request.get("/profile/two-factor/codes.txt");
  expect(download.headers()["content-disposition"]).toContain("attachment");
  expect(await download.text()).toContain(codes[0]);
  await snap(page, "recovery-codes");

  // log out; log in with a code (of the next step: the activation's is spent)
  await logOut(page);
  await nextStep(activatedAt);
  await logIn(page, user);
  // the password alone signed nobody in
  expect((await page.request.get("/api/auth/user/")).status()).toBe(401);
  await hydrated(page);
  const code = page.getByLabel("Code");
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  await expect(code).toHaveAttribute("inputmode", "numeric");
  const lastTotpAt = Date.now();
  await code.fill(totp(secret, lastTotpAt));
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await expect(page.getByTestId("mfa-status")).toContainText("On since");

  // log out; log in with a recovery code
  await logOut(page);
  await logIn(page, user);
  await page.getByTestId("use-recovery").click();
  await page.waitForURL(/recovery=1/);
  await hydrated(page);
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await snap(page, "profile-two-factor");

  // without JavaScript: a used code is refused inline, a fresh one works
  const nojs = await browser.newContext({ javaScriptEnabled: false, baseURL: page.url().replace(/\/profile$/, "") });
  const plain = await nojs.newPage();
  await logIn(plain, user);
  await plain.goto("/login/verify?recovery=1");
  await plain.getByLabel("Recovery code").fill(codes[0]);
  await plain.getByTestId("submit").click();
  await expect(plain.getByTestId("error-code")).toHaveText("Invalid code.");
  await plain.getByLabel("Recovery code").fill(codes[1]);
  await plain.getByTestId("submit").click();
  await plain.waitForURL(/\/profile$/);
  await expect(plain.getByTestId("nav-user")).toHaveText(user);
  // recovery codes are shown once, in the browser that made them: not here
  await plain.goto("/profile/two-factor/codes");
  await expect(plain.getByTestId("codes-gone")).toBeVisible();
  await expect(plain.getByTestId("recovery-code")).toHaveCount(0);
  await nojs.close();

  // a pending sign-in that is gone says so
  await logOut(page);
  await page.goto("/login/verify");
  await page.getByLabel("Code").fill("123456");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("form-errors")).toContainText("This sign-in has expired");

  // turn it off, with a code of a step after the last one used
  await logIn(page, user);
  await page.goto("/login/verify?recovery=1");
  await page.getByLabel("Recovery code").fill(codes[2]);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  await hydrated(page);
  await nextStep(lastTotpAt);
  await page.getByLabel("Code to turn two-factor off", { exact: true }).fill(totp(secret));
  await page.getByTestId("totp-off").click();
  await page.waitForURL(/notice=totp_disabled/);
  await expect(page.getByTestId("mfa-status")).toContainText("Off");
});
