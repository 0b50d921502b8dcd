import * as fs from "fs";
import * as path from "path";
import { expect, type Page } from "@playwright/test";

/** Directory where this run's screenshots go (not committed). */
export const artifacts = path.join(__dirname, "..", "artifacts");

export async function snap(page: Page, name: string) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Waits until the wasm has hydrated the page. When it does not, the error
 * says which scripts and wasm the page loaded (and how), so a rare failure
 * leaves its cause behind. */
export async function hydrated(page: Page) {
  // the wasm is fetched at the page's first use (a key, a pointer, ...):
  // a Shift press is one that changes nothing on the page
  await page.keyboard.press("Shift");
  try {
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
  } catch (e) {
    const loaded = await page
      .evaluate(() =>
        performance
          .getEntriesByType("resource")
          .map((r) => `${r.name} ${(r as PerformanceResourceTiming).responseStatus ?? "?"} ${Math.round(r.duration)}ms`)
          .join("\n"),
      )
      .catch((err) => `(could not read: ${err})`);
    throw new Error(`not hydrated at ${page.url()}; resources:\n${loaded}\n${e}`);
  }
}

/** A unique name for this test run. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The link in the newest outbox email of `kind` to `to`, waiting for it. */
export async function outboxLink(to: string, kind: string, after = 0, timeoutMs = 10_000): Promise<string> {
  const dir = path.join(process.env.LATCHKEY_E2E_DATA ?? "", "outbox");
  const safe = to.replace(/[^A-Za-z0-9.-]/g, "_").slice(0, 60);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(dir)) {
      const files = fs
        .readdirSync(dir)
        .filter((f) => f.includes(`-${kind}-`) && f.endsWith(`${safe}.eml`))
        .sort();
      if (files.length > after) {
        const text = fs.readFileSync(path.join(dir, files[files.length - 1]), "utf8");
        const m = text.match(/https?:\/\/\S+/);
        if (m) return m[0];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} email to ${to} in ${dir}`);
}

/** Waits until `n` outbox emails of `kind` went to `to`, and no more. */
export async function outboxExactly(to: string, kind: string, n: number, timeoutMs = 10_000) {
  await expect.poll(() => outboxCount(to, kind), { timeout: timeoutMs }).toBe(n);
}

/** How many outbox emails of `kind` went to `to` so far. */
export function outboxCount(to: string, kind: string): number {
  const dir = path.join(process.env.LATCHKEY_E2E_DATA ?? "", "outbox");
  const safe = to.replace(/[^A-Za-z0-9.-]/g, "_").slice(0, 60);
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).filter((f) => f.includes(`-${kind}-`) && f.endsWith(`${safe}.eml`)).length;
}

/** A 1x1 PNG. */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

export const PASSWORD = "Tr1cky-Latch-9";

/** A verified account made through the API; returns its username. */
export async function verifiedAccount(page: Page, prefix: string): Promise<string> {
  const username = unique(prefix);
  const email = `${username}@example.com`;
  const r = await page.request.post("/api/auth/registration/", {
    data: { username, email, password1: PASSWORD, password2: PASSWORD },
  });
  expect(r.status()).toBe(201);
  const link = await outboxLink(email, "verify_email");
  const key = link.split("/").pop()!;
  const v = await page.request.post("/api/auth/registration/verify-email/", { data: { key } });
  expect(v.status()).toBe(200);
  return username;
}
