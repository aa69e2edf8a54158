"""`make audit`: Lighthouse on the home page, the form, a result page and the log, with the
mobile and the desktop preset, as a returning visitor with a few submissions.

Fails unless accessibility, best practices and SEO score 100 on every page and preset;
prints performance too (its figures depend on the machine). The result page and the log
answer `X-Robots-Tag: noindex` on purpose (they belong to one visitor), so SEO's
"is-crawlable" audit, which only says that, is skipped there.

Lighthouse comes from `make audit` (`npm install` of the exact version into .audit/) and
drives Debian's Chromium (CHROMIUM_PATH overrides /usr/bin/chromium).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from live import CHROMIUM, ROOT, new_visitor, serving

LIGHTHOUSE = ROOT / ".audit" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
REQUIRED = ["accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-dev-shm-usage --disable-gpu"
ATTEMPTS = 3
TEXTS = [f"Note number {n}: something worth keeping" for n in range(12)]


def lighthouse(url: str, preset: str, cookie: str, noindex: bool, chromium: str) -> dict:
    """One Lighthouse run; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="audit-") as folder:
        report = Path(folder) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        if noindex:
            command.append("--skip-audits=is-crawlable")
        # Chromium writes under $HOME: a throwaway one keeps the user's untouched.
        env = {**os.environ, "CHROME_PATH": chromium, "HOME": folder}
        # Now and then recording the page load's trace fails (NO_NAVSTART on a busy
        # machine); that is Lighthouse's own runtime error, and a second run goes through.
        for _ in range(ATTEMPTS):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
            if done.returncode == 0 and report.exists():
                return json.loads(report.read_text())
        raise SystemExit(f"lighthouse failed on {url} ({preset}):\n{done.stderr[-2000:]}")


def shortfalls(report: dict) -> list[str]:
    """The audits that cost a required category points."""
    missed = []
    for category in REQUIRED:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                missed.append(f"{category}: {ref['id']} ({audit['title']})")
    return missed


def main() -> int:
    if not LIGHTHOUSE.exists():
        raise SystemExit("No Lighthouse in .audit/: run `make audit`, which installs it")
    chromium = os.environ.get("CHROMIUM_PATH", CHROMIUM)
    failures = []
    print(f"{'page':<14}{'preset':<9}" + "".join(f"{name:>16}" for name in CATEGORIES))
    with serving() as base_url:
        cookie, results = new_visitor(base_url, TEXTS)
        pages = {
            "/": ("/", False),
            "/submit": ("/submit", False),
            "result page": (results[-1], True),
            "/submissions": ("/submissions", True),
        }
        for name, (path, noindex) in pages.items():
            for preset in ("mobile", "desktop"):
                report = lighthouse(base_url + path, preset, cookie, noindex, chromium)
                scores = [report["categories"][c]["score"] for c in CATEGORIES]
                shown = "".join(f"{'n/a' if s is None else round(s * 100):>16}" for s in scores)
                print(f"{name:<14}{preset:<9}{shown}", flush=True)
                failures += [f"{name} {preset}: {miss}" for miss in shortfalls(report)]
                for category, score in zip(CATEGORIES, scores, strict=True):
                    if category in REQUIRED and score != 1:
                        failures.append(f"{name} {preset}: {category} {score}")
    if failures:
        print("\nBelow 100:\n  " + "\n  ".join(sorted(set(failures))))
        return 1
    print("\nAccessibility, best practices and SEO: 100 on every page and preset.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
