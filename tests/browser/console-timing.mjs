// Times the console as a person feels it, in headless Chromium, for the benchmark runner: the home page
// (rendered on the server, nothing interactive) and the message editor until it answers input, each loaded
// again and again once warm; and the charter's finding after a pause in the typing, from the text changing
// to the finding shown, less the pause the editor waits for.
//   usage: node console-timing.mjs <console-url> "<person's display name>" <UAI> <rounds> <pause-ms>
// Prints one JSON line: { home: [ms], editor: [ms], check: [ms] }.
import { launch } from "./console-checks.mjs";

const [base, person, uai, rounds, pause] = process.argv.slice(2);
const timeout = 30_000;
const browser = await launch();

const page = await browser.newPage();

// Playwright's own waits poll at growing intervals (up to 500 ms): these check on every frame instead.
const shown = (selector, text) => page.waitForFunction(([selector, text]) =>
  [...document.querySelectorAll(selector)].some((element) => element.textContent.includes(text)), [selector, text], { polling: "raf", timeout });

async function timed(action) {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

try {
  await page.goto(`${base}/`, { timeout });
  await page.getByRole("button", { name: person }).click();
  await page.getByRole("heading", { level: 1 }).waitFor({ timeout });

  const home = [];
  const editor = [];
  const warmUp = 3;
  for (let round = 0; round < warmUp + Number(rounds); round++) {
    const homeTime = await timed(async () => {
      await page.goto(`${base}/`, { timeout });
      await shown("h1", "Bonjour");
    });
    const editorTime = await timed(async () => {
      await page.goto(`${base}/messages/nouveau`, { timeout });
      await shown("form.editeur[data-interactive=oui]", "");
    });
    if (round >= warmUp) {
      home.push(homeTime);
      editor.push(editorTime);
    }
  }

  await page.getByLabel("Titre").fill("Horaires des cars");
  await page.getByLabel("Établissements (UAI, séparés par des virgules)").fill(uai);
  const body = page.getByLabel("Texte");
  const finding = page.locator(".constats li", { hasText: "offre spéciale" });
  const check = [];
  for (let round = 0; round < warmUp + Number(rounds); round++) {
    await body.fill(`Les horaires des cars changent le ${round + 1} novembre.`);
    await finding.first().waitFor({ state: "detached", timeout });
    const checked = await timed(async () => {
      await body.fill(`Les horaires des cars changent le ${round + 1} novembre. Profitez de notre offre spéciale !`);
      await shown(".constats li", "offre spéciale");
    });
    if (round >= warmUp) check.push(checked - Number(pause));
  }

  console.log(JSON.stringify({ home, editor, check }));
} finally {
  await browser.close();
}
