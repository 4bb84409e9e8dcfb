// Loads the gateway's /docs in headless Chromium and tries one call from it.
//   usage: node docs-in-browser.mjs <gateway-url> <api-key>
// Prints one JSON line; exits 1 when the page logs an error, shows fewer operations than the OpenAPI
// document holds, or its "try it" does not get a 200.
import { chromium } from "playwright-core";

const [base, key] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const errors = [];
try {
  const page = await browser.newPage();
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("requestfailed", (request) => errors.push(`${request.url()}: ${request.failure()?.errorText}`));

  await page.goto(`${base}/docs`, { timeout: 30_000 });
  await page.waitForSelector("section.operation", { timeout: 30_000 });
  const api = await (await fetch(`${base}/openapi/v1.json`)).json();
  const expected = Object.values(api.paths).reduce((count, item) => count + Object.keys(item).length, 0);
  const shown = await page.locator("section.operation").count();
  const described = await page.locator("#Parties_ListParties .description").textContent();

  await page.fill("#api-key", key);
  await page.dispatchEvent("#api-key", "change");
  const operation = page.locator("#Parties_ListParties");
  await operation.locator("summary").click();
  await operation.locator("input[name=pageSize]").fill("2");
  await operation.locator("button").click();
  await page.waitForFunction(() => !document.querySelector("#Parties_ListParties pre").textContent.startsWith("…"), null, { timeout: 30_000 });
  const answer = await operation.locator("pre").textContent();

  const result = { expected, shown, described, answer: answer.slice(0, 200), errors };
  console.log(JSON.stringify(result));
  process.exit(errors.length === 0 && shown === expected && answer.startsWith("200") ? 0 : 1);
} finally {
  await browser.close();
}
