// Loads the gateway's /docs (Scalar) in headless Chromium, searches it and opens an operation's code sample.
//   usage: node docs-in-browser.mjs <gateway-url>
// Prints one JSON line: the hosts the page requested, what the search found, the code sample shown, the
// page's errors. Exits 1 when the page logs an error, requests another host, finds nothing or shows no sample.
import { chromium } from "playwright-core";

const [base] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const errors = [];
const hosts = new Set();
try {
  const page = await browser.newPage();
  page.on("request", (request) => hosts.add(new URL(request.url()).host));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("requestfailed", (request) => errors.push(`${request.url()}: ${request.failure()?.errorText}`));

  await page.goto(`${base}/docs/`, { timeout: 30_000 });
  await page.getByText("Gets one party by its resource name").first().waitFor({ timeout: 30_000 });

  await page.keyboard.press("Control+k");
  const search = page.getByRole("dialog").getByRole("combobox").or(page.getByRole("dialog").getByRole("textbox")).first();
  await search.fill("membership");
  const found = page.getByRole("dialog").getByText("Gets one membership of a purchasing group").first();
  await found.waitFor({ timeout: 30_000 });
  const foundText = await found.textContent();
  await found.click();
  const sample = page.locator("code", { hasText: "curl" }).filter({ hasText: "/memberships/" }).first();
  await sample.waitFor({ timeout: 30_000 });

  console.log(JSON.stringify({ hosts: [...hosts], found: foundText, sample: (await sample.textContent()).slice(0, 200), errors }));
  process.exitCode = errors.length === 0 && hosts.size === 1 && hosts.has(new URL(base).host) ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ hosts: [...hosts], errors: [...errors, String(error)] }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
