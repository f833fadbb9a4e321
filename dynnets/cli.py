"""The ``dynnets`` command: list and run the experiments that regenerate the figures.

    dynnets list
    dynnets run NAME [NAME ...] [--quick] [--out DIR]
    dynnets run --all [--quick] [--out DIR]
    dynnets index [--out DIR]

``run`` ends by rewriting ``<out>/README.md``, the gallery index (``index`` only
rewrites it).
"""

import argparse
import sys
import time
from contextlib import contextmanager
from functools import partialmethod

from .experiment import list_experiments, run_experiment, write_index


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dynnets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    run_p = sub.add_parser("run", help="run experiments, writing <out>/<name>.png and .json")
    run_p.add_argument("names", nargs="*", metavar="NAME")
    run_p.add_argument("--all", action="store_true", help="run every experiment")
    run_p.add_argument("--quick", action="store_true", help="small, fast versions (seconds each)")
    run_p.add_argument("--out", default="figures", help="output directory (default: figures)")
    run_p.add_argument("--no-progress", action="store_true", help="no progress bar")
    index_p = sub.add_parser("index", help="rewrite <out>/README.md, the gallery index")
    index_p.add_argument("--out", default="figures", help="figure directory (default: figures)")
    args = parser.parse_args(argv)

    try:
        available = list_experiments()
    except FileNotFoundError as err:
        print(f"dynnets: {err}", file=sys.stderr)
        return 2
    if args.command == "list":
        print("\n".join(available))
        return 0
    if args.command == "index":
        print(f"wrote {write_index(args.out)}")
        return 0
    if args.all == bool(args.names):
        parser.error("give experiment names or --all (not both)")
    names = available if args.all else args.names
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"dynnets: unknown experiment(s) {', '.join(unknown)}; available: {', '.join(available)}",
              file=sys.stderr)
        return 2

    import matplotlib

    matplotlib.use("Agg")
    from tqdm.auto import tqdm

    with _quiet(args.no_progress):
        bar = tqdm(names, desc="experiments", unit="exp", disable=args.no_progress)
        for name in bar:
            bar.set_postfix_str(name)
            t0 = time.perf_counter()
            run_experiment(name, quick=args.quick, out=args.out)
            tqdm.write(f"{name}: wrote {args.out}/{name}.png and .json in {time.perf_counter() - t0:.1f} s")
    write_index(args.out)
    return 0


@contextmanager
def _quiet(on):
    """Silence every tqdm bar (the experiments' own too) while ``on``."""
    if not on:
        yield
        return
    import tqdm.asyncio
    import tqdm.auto
    import tqdm.std

    classes = {tqdm.std.tqdm, tqdm.auto.tqdm, tqdm.asyncio.tqdm_asyncio}
    saved = {c: c.__dict__.get("__init__") for c in classes}
    for c in classes:
        c.__init__ = partialmethod(saved[c] or c.__init__, disable=True)
    try:
        yield
    finally:
        for c, init in saved.items():
            if init is None:
                del c.__init__
            else:
                c.__init__ = init


if __name__ == "__main__":
    sys.exit(main())
