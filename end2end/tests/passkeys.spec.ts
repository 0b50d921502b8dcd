import { test, expect, type Page, type CDPSession } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { PASSWORD, snap, unique } from "./support";

// Passkeys in real Chromium with its virtual authenticator (CDP WebAuthn
// domain: CTAP2, internal transport, resident keys, user verification),
// against the second server, public at http://localhost:PORT.
const base = process.env.LATCHKEY_E2E_PASSKEY_URL ?? "http://localhost:3919";
const outbox = path.join(process.env.LATCHKEY_E2E_DATA ?? "", "passkeys", "outbox");

test.use({
  baseURL: base,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
      "--host-resolver-rules=MAP localhost 127.0.0.1",
    ],
  },
});

async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** An email to `to` on the passkey server whose file name or text has `marker`, waiting for it. */
async function outboxText(to: string, marker: string): Promise<string> {
  const safe = to.replace(/[^A-Za-z0-9.-]/g, "_").slice(0, 60);
  let found = "";
  await expect
    .poll(() => {
      if (!fs.existsSync(outbox)) return false;
      for (const f of fs.readdirSync(outbox).filter((f) => f.endsWith(`${safe}.eml`)).sort().reverse()) {
        const text = fs.readFileSync(path.join(outbox, f), "utf8");
        if (f.includes(`-${marker}-`) || text.includes(marker)) {
          found = text;
          return true;
        }
      }
      return false;
    })
    .toBe(true);
  return found;
}

/** A verified account on the passkey server; signs it in on the page. */
async function signedIn(page: Page): Promise<{ username: string; email: string }> {
  const username = unique("pk");
  const email = `${username}@example.com`;
  const r = await page.request.post("/api/auth/registration/", {
    data: { username, email, password1: PASSWORD, password2: PASSWORD },
  });
  expect(r.status()).toBe(201);
  const link = (await outboxText(email, "verify_email")).match(/https?:\/\/\S+/)![0];
  const key = link.split("/").pop()!;
  expect((await page.request.post("/api/auth/registration/verify-email/", { data: { key } })).status()).toBe(200);
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByTestId("submit").click();
  await page.waitForURL(/\/profile$/);
  return { username, email };
}

test("add a passkey on the profile, log out, sign in with it, rename and delete it", async ({ page }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const { username, email } = await signedIn(page);
  await expect(page.getByTestId("passkeys-none")).toBeVisible();
  await page.getByTestId("input-passkey-name").fill("My laptop");
  await page.getByTestId("passkey-add-button").click();
  await page.waitForURL(/notice=passkey_added/);
  await expect(page.getByTestId("passkey-name")).toHaveText("My laptop");
  await expect(page.getByTestId("passkey")).toContainText("never used yet");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials.length).toBe(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  expect(await outboxText(email, "A passkey was added")).toContain("My laptop");
  await snap(page, "passkeys-profile");

  // the virtual authenticator answers autofill at once: it waits while we log out and load /login
  const presence = (enabled: boolean) =>
    cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled });
  await presence(false);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();

  // no password: the passkey alone (the button, or the browser's autofill, whichever comes first)
  await page.goto("/login?next=/sessions");
  await expect(page.getByLabel("Username or email")).toHaveAttribute("autocomplete", "username webauthn");
  await expect(page.getByTestId("passkey-login")).toBeVisible();
  await expect(page.getByTestId("passkey-needs-js")).toBeHidden();
  await snap(page, "passkeys-login");
  await presence(true);
  await page.getByTestId("passkey-login").click({ timeout: 5_000 }).catch(() => {});
  await page.waitForURL(/\/sessions$/);
  await expect(page.getByTestId("nav-user")).toHaveText(username);

  await page.goto("/profile");
  await expect(page.getByTestId("passkey")).toContainText("last used");
  await page.getByTestId("input-passkey-rename").fill("Work laptop");
  await page.getByTestId("passkey-rename").click();
  await page.waitForURL(/notice=passkey_renamed/);
  await expect(page.getByTestId("passkey-name")).toHaveText("Work laptop");
  await page.getByTestId("input-passkey-rename").fill("");
  await page.getByTestId("passkey-rename").click();
  await expect(page.getByTestId("passkey")).toContainText("This field may not be blank.");

  await page.getByTestId("passkey-delete").click();
  await page.waitForURL(/notice=passkey_removed/);
  await expect(page.getByTestId("passkeys-none")).toBeVisible();
  expect(await outboxText(email, "A passkey was removed")).toContain("Work laptop");

  // the authenticator still holds it, but it no longer signs in
  await presence(false);
  await page.getByTestId("nav-logout").click();
  await expect(page.getByTestId("nav-login")).toBeVisible();
  await page.goto("/login");
  await expect(page.getByTestId("passkey-login")).toBeVisible();
  await presence(true);
  await page.getByTestId("passkey-login").click({ timeout: 5_000 }).catch(() => {});
  await expect(page.getByTestId("passkey-login-status")).toHaveText("Credential not found.");
  await expect(page.getByTestId("nav-login")).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the log-in page says passkeys need it; the password form is there", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByTestId("passkey-needs-js")).toBeVisible();
    await expect(page.getByTestId("passkey-login")).toBeHidden();
    await expect(page.getByLabel("Password")).toBeVisible();
  });
});
