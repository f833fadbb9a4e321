"""The user guide's code blocks run: each page's ```python blocks, in order, in
one namespace (so the pages cannot rot)."""

import re
from pathlib import Path

import matplotlib
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "README.md")


def test_index_links_every_page():
    index = (DOCS / "README.md").read_text()
    assert PAGES and all(f"({p.name})" in index for p in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_code_runs(page, capsys):
    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.DOTALL)
    assert blocks, f"{page.name} has no example"
    namespace = {"__name__": f"docs_{page.stem}"}
    for k, code in enumerate(blocks):
        exec(compile(code, f"{page.name}[block {k}]", "exec"), namespace)  # noqa: S102
    assert capsys.readouterr().out  # the examples show their results
