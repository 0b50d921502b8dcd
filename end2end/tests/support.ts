import * as fs from "fs";
import * as path from "path";
import type { Page } from "@playwright/test";

/** Directory where this run's screenshots go (not committed). */
export const artifacts = path.join(__dirname, "..", "artifacts");

export async function snap(page: Page, name: string) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** The newest outbox email to `to` whose kind matches, waiting for it. */
export async function outboxLink(to: string, kind: string, timeoutMs = 10_000): Promise<string> {
  const dir = path.join(process.env.LATCHKEY_E2E_DATA ?? "", "outbox");
  const safe = to.replace(/[^A-Za-z0-9.-]/g, "_");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(dir)) {
      const files = fs.readdirSync(dir).filter((f) => f.includes(`-${kind}-`) && f.endsWith(`${safe}.eml`)).sort();
      if (files.length > 0) {
        const text = fs.readFileSync(path.join(dir, files[files.length - 1]), "utf8");
        const m = text.match(/https?:\/\/\S+/);
        if (m) return m[0];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} email to ${to} in ${dir}`);
}
