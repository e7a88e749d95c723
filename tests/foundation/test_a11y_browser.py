"""An accessibility check (axe-core, installed from npm by `make test`) over the main pages.

axe-core runs in Chromium on each page of the small-screen test's tour (staff pages, settings,
portal, platform site, log-in); a serious or critical violation fails the test. Every
aria-describedby must also name elements that exist (help text and errors are read out)."""

from pathlib import Path

import pytest

from tests.foundation.test_small_screen_browser import LAPTOP, main_pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}

# Run through the DevTools protocol (page.evaluate), which the page's Content-Security-Policy
# does not govern: an injected <script> would be refused, as it should.
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary),
  }));
}"""

MISSING_DESCRIPTIONS = """() => {
  const missing = [];
  for (const el of document.querySelectorAll("[aria-describedby]")) {
    for (const id of el.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) missing.push((el.id || el.name || el.tagName) + " → #" + id);
    }
  }
  return missing;
}"""


def test_the_main_pages_have_no_serious_accessibility_violation(page, site_url):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it)")
    source = AXE.read_text(encoding="utf-8")
    page.set_viewport_size(LAPTOP)
    problems = []
    checked = 0
    for name, visit in main_pages(page, site_url):
        visit()
        if name.endswith("log-in"):
            continue
        checked += 1
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        for violation in page.evaluate(RUN_AXE):
            if violation["impact"] in FAILING_IMPACTS:
                nodes = "\n    ".join(violation["nodes"])
                problems.append(
                    f"{name} ({page.url}): [{violation['impact']}] {violation['id']}: {violation['help']}\n    {nodes}"
                )
        for reference in page.evaluate(MISSING_DESCRIPTIONS):
            problems.append(f"{name} ({page.url}): aria-describedby names a missing element: {reference}")
    assert checked >= 15
    assert not problems, "\n".join(problems)
