"""The documentation read as an outsider would: no name that only the project's authors know, and every file it
points to exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMENTED = [*DOCS, *sorted((ROOT / "deploy").rglob("*.y*ml")), *sorted((ROOT / "k8s").rglob("*.yaml"))]

INSIDER_WORDS = re.compile(r"seed plan|the seed's|\bissue \d+/\d+", re.IGNORECASE)
"""The planning documents the project grew from are not in the repository: "the deployment plan", not these."""


@pytest.mark.parametrize("path", COMMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_insider_names(path: Path) -> None:
    found = [line for line in path.read_text().splitlines() if INSIDER_WORDS.search(line)]
    assert found == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_a_document_names_exists(path: Path) -> None:
    text = path.read_text()
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)  # relative links, without their anchors
    missing = [link for link in links if not (path.parent / link).exists()]
    named = set(re.findall(r"\b([A-Za-z][\w-]*\.md)\b", text))  # a document named in the prose
    unknown = sorted(name for name in named if not any(ROOT.rglob(name)))
    assert (missing, unknown) == ([], [])
