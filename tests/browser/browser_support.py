"""Helpers for the browser tests (kept out of conftest.py: several conftest modules share that name)."""

from __future__ import annotations

import json
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0: see vendor/NOTICE


def run_axe(page, context=None) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) and return the serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
    result = page.evaluate("([ctx, opts]) => axe.run(ctx || document, opts)", [context, options])
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in bad]


def fulfil_json(route, body: dict, status: int = 200, headers: dict | None = None):
    """Answer an intercepted request with a JSON body."""
    route.fulfill(status=status, content_type="application/json", body=json.dumps(body), headers=headers or {})
