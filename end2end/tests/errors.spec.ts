import { test, expect } from "@playwright/test";
import { hydrated, snap } from "./support";

test("a bad password shows the API's messages beside the field, without a reload", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  let navigations = 0;
  page.on("framenavigated", () => navigations++);
  await page.getByLabel("Username").fill("carol");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("carol123");
  await page.getByLabel("Password again").fill("carol123");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("error-password1")).toHaveText("This password is too common.");
  await expect(page.getByTestId("error-email")).toHaveText("Enter a valid email address.");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("submit")).toBeEnabled();
  expect(navigations).toBe(0);
  await snap(page, "signup-errors");
});

test("pages fit a 375 px wide screen and have titles", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  for (const [path, title] of [
    ["/", /Latchkey/],
    ["/login", /Log in/],
    ["/signup", /Sign up/],
    ["/password-reset", /Forgot/],
    ["/verify-email", /Check your email/],
  ] as const) {
    await page.goto(path);
    await expect(page).toHaveTitle(title);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, path).toBeLessThanOrEqual(375);
  }
  await snap(page, "mobile-verify-email");
  const favicon = await page.request.get("/favicon.svg");
  expect(favicon.status()).toBe(200);
});

test("cross-site form posts carrying the session cookie are refused", async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: "latchkey_session", value: "x", url: baseURL! }]);
  const r = await page.request.post("/fn/logout", {
    headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
    data: "",
  });
  expect(r.status()).toBe(403);
});

test("a page only read never downloads the wasm; the first use fetches it and hydrates", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (/\.wasm(\?|$)/.test(r.url())) wasm.push(r.url());
  });
  await page.goto("/login", { waitUntil: "load" });
  // longer than the old idle load's two seconds
  await page.waitForTimeout(3_000);
  expect(wasm).toEqual([]);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  // focusing a field is a use: it alone fetches the wasm
  const fetched = page.waitForRequest(/\.wasm(\?|$)/);
  await page.getByLabel(/Username|Email/).first().focus();
  await fetched;
  await hydrated(page);
  expect(wasm.length).toBe(1);
});
