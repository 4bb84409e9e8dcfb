// What the console's browser scripts share: Debian's Chromium, and the checks every page gets — axe-core's
// serious and critical violations, and the visible controls the keyboard (Tab) never reaches.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

/** Records the page's script errors, errors logged to its console and answers of 400 and above in `errors`. */
export function watch(page, errors) {
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("response", (response) => { if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`); });
}

/** axe-core's serious and critical violations on the page, each as "rule: targets". */
export async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const results = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * The visible controls (links, buttons, fields) that pressing Tab from the top of the page never focuses. Each
 * is known by what it is and says, not by a mark put on it: an interactive page may render its elements anew.
 */
export async function unreachable(page) {
  const controls = await page.evaluate(() => {
    globalThis.describeControl = (element) => element && element !== document.body
      ? `${element.tagName.toLowerCase()} « ${(element.innerText || element.id || element.name || "").trim()} » ${element.getAttribute("href") ?? ""}`.trim()
      : null;
    document.activeElement?.blur();
    return [...document.querySelectorAll("a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled])")]
      .filter((control) => control.getClientRects().length > 0).map(globalThis.describeControl);
  });
  // A date field takes three stops (day, month, year): Tab until every control is reached, within bounds.
  const reached = new Set();
  for (let i = 0; i < 4 * controls.length + 10 && !controls.every((control) => reached.has(control)); i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => globalThis.describeControl(document.activeElement)));
  }
  return [...new Set(controls)].filter((control) => !reached.has(control));
}
