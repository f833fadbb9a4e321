"""Running the experiment scripts in ``experiments/``.

Each ``experiments/<name>.py`` defines ``run(quick: bool, out: Path) -> dict`` that
writes ``out/<name>.png`` and ``out/<name>.json`` through :func:`finish`, and
``summary(results) -> str``, one line on what the run obtained (for the gallery
index, :func:`write_index`); it ends with ``if __name__ == "__main__": main(run)``.
"""

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np

from .io import atomic_write


def experiments_dir():
    """Where the experiment scripts are: ``$DYNNETS_EXPERIMENTS``, else
    ``./experiments`` in the working directory, else the source checkout's."""
    env = os.environ.get("DYNNETS_EXPERIMENTS")
    if env:
        return Path(env)
    here = Path.cwd() / "experiments"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[1] / "experiments"


def list_experiments(directory=None):
    """Names of the experiments (sorted)."""
    d = Path(directory) if directory else experiments_dir()
    if not d.is_dir():
        raise FileNotFoundError(f"no experiments directory at {d}; run from the dynnets checkout or set DYNNETS_EXPERIMENTS")
    return sorted(p.stem for p in d.glob("*.py") if not p.name.startswith("_"))


def load_experiment(name, directory=None):
    """The module ``experiments/<name>.py``."""
    d = Path(directory) if directory else experiments_dir()
    names = list_experiments(d)
    if name not in names:
        raise ValueError(f"unknown experiment {name!r}; available: {', '.join(names)}")
    spec = importlib.util.spec_from_file_location(f"dynnets_experiment_{name}", d / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise TypeError(f"experiments/{name}.py does not define run(quick, out)")
    return module


def run_experiment(name, quick=False, out=None, directory=None):
    """Run one experiment; returns the dict it reports (also in ``out/<name>.json``)."""
    out = Path(out) if out is not None else Path("figures")
    out.mkdir(parents=True, exist_ok=True)
    return load_experiment(name, directory).run(quick=quick, out=out)


def write_index(out, directory=None):
    """Write ``out/README.md``: every figure in ``out`` with the first paragraph of
    its experiment's docstring, the reference it is compared with and what the
    run obtained (the experiment's ``summary``). Returns the path."""
    out = Path(out)
    lines = ["# Figure gallery", "",
             ("Written by `dynnets run`; regenerate everything with `python -m dynnets run --all`. "
              "Each figure's numbers are in the `.json` beside it."), ""]
    for name in list_experiments(directory):
        png, js = out / f"{name}.png", out / f"{name}.json"
        if not (png.exists() and js.exists()):
            continue
        module = load_experiment(name, directory)
        res = json.loads(js.read_text())
        title = " ".join((module.__doc__ or name).strip().split("\n\n")[0].split())
        lines += [f"## {name}", "", f"![{name}]({name}.png)", "", title, ""]
        if res.get("reference"):
            lines.append(f"- Compared with: {res['reference']}")
        if callable(getattr(module, "summary", None)):
            lines.append(f"- Obtained: {module.summary(res)}" + (" (quick run)" if res.get("quick") else ""))
        lines.append("")
    path = out / "README.md"
    atomic_write(path, lambda p: Path(p).write_text("\n".join(lines)))
    return path


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, complex):
        return {"re": x.real, "im": x.imag}
    return x


def finish(name, out, fig, results):
    """Write ``out/<name>.png`` and ``out/<name>.json`` atomically; return ``results``."""
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = _jsonable(dict(results, experiment=name))
    atomic_write(out / f"{name}.png", lambda p: fig.savefig(p, dpi=120, bbox_inches="tight"))
    plt.close(fig)

    def dump(p):
        with open(p, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write("\n")

    atomic_write(out / f"{name}.json", dump)
    return results


def main(run, argv=None):
    """Command line of a single experiment script: ``python experiments/x.py [--quick]``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a small, fast version")
    parser.add_argument("--out", default="figures", help="output directory (default: figures)")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    res = run(quick=args.quick, out=Path(args.out))
    json.dump(res, sys.stdout, indent=2, sort_keys=True)
    print()
