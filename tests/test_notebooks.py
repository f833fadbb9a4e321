"""The notebooks themselves run under nbmake (``pytest`` collects notebooks/);
here: they are committed without outputs, and each reads the quick switch."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_quick_aware(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert any("DYNNETS_QUICK" in "".join(c["source"]) for c in code)
    assert nb["cells"][0]["cell_type"] == "markdown"  # a story starts with prose
