// Signs a development person in to the console in headless Chromium, through the identity project's page,
// and reads its pages as the person does; axe-core checks each page.
//   usage: node console-in-browser.mjs <console-url> "<person's display name>"
// Prints one JSON line: each page's address, first heading and serious or critical axe violations, the
// hosts requested, the page errors. Exits 1 when a page logs an error or has such a violation.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [base, person] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const errors = [];
const hosts = new Set();
const pages = [];

async function check(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const results = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  pages.push({
    url: page.url(),
    heading: (await page.locator("h1").first().textContent())?.trim(),
    violations: serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  });
}

try {
  const page = await browser.newPage();
  page.on("request", (request) => hosts.add(new URL(request.url()).host));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("response", (response) => { if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`); });

  await page.goto(`${base}/`, { timeout: 30_000 });
  const choice = page.getByRole("button", { name: person });
  await choice.waitFor({ timeout: 30_000 });
  await check(page);
  await choice.click();
  await page.getByRole("heading", { level: 1, name: `Bonjour, ${person}` }).waitFor({ timeout: 30_000 });
  await check(page);
  await page.getByRole("link", { name: "Mes messages" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Mes messages" }).waitFor({ timeout: 30_000 });
  await check(page);
  const titles = await page.locator("tbody tr td:first-child").allTextContents();

  console.log(JSON.stringify({ pages, titles, hosts: [...hosts], errors }));
  process.exitCode = errors.length === 0 && pages.every((p) => p.violations.length === 0) ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ pages, hosts: [...hosts], errors: [...errors, String(error)] }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
