"""Shared by the tests and the notebooks the suite executes (nbmake): the
notebooks read DYNNETS_QUICK and run their short configuration."""

import os

os.environ.setdefault("DYNNETS_QUICK", "1")
