import { test, expect } from "@playwright/test";
import { hydrated, snap } from "./support";

test("home page renders, hydrates and links to sign-up", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith(".wasm") && r.status() === 200);
  await page.goto("/");
  await expect(page).toHaveTitle(/Latchkey/);
  await expect(page.getByTestId("home")).toBeVisible();
  await hydrated(page);
  await wasm;
  await snap(page, "home");
});

test("the JSON API answers beside the pages", async ({ request }) => {
  const r = await request.get("/api/auth/user/");
  expect(r.status()).toBe(401);
  expect(await r.json()).toEqual({ detail: "Authentication credentials were not provided." });
});
