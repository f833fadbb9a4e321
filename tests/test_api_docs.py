"""Every public function and class has a numpydoc docstring (a Parameters section
for functions that take arguments, Parameters or Attributes for classes), and its
module or itself cites the references its equations come from."""

import importlib
import inspect

import pytest

MODULES = ["dynnets", "dynnets.models", "dynnets.models.cells", "dynnets.models.topology", "dynnets.analysis",
           "dynnets.train", "dynnets.tasks", "dynnets.tasks.cartpole", "dynnets.tasks.walker", "dynnets.tasks.catch",
           "dynnets.integrate", "dynnets.plot"]
NO_EQUATIONS = {"dynnets.plot", "dynnets.errors", "dynnets.systems", "dynnets.experiment", "dynnets.io",
                "dynnets.models.cells._base", "dynnets.integrate.solve"}


def public_objects():
    seen = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.ismodule(obj) or not (inspect.isclass(obj) or callable(obj)):
                continue
            obj = getattr(obj, "py_func", obj)  # numba dispatchers: the Python function
            owner = getattr(obj, "__module__", "") or ""
            if owner.startswith("dynnets"):
                seen[f"{owner}.{obj.__qualname__}"] = obj
    return seen


OBJECTS = public_objects()


def test_the_walk_finds_the_api():
    assert len(OBJECTS) > 120


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_numpydoc_with_references(name):
    obj = OBJECTS[name]
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{name} has no docstring"
    if inspect.isclass(obj):
        if not issubclass(obj, Exception):
            assert "Parameters" in doc or "Attributes" in doc, f"{name}: no Parameters or Attributes section"
    else:
        params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
        if params:
            assert "Parameters\n----------" in doc, f"{name}: no Parameters section"
    module = obj.__module__
    if module not in NO_EQUATIONS:
        assert "References" in (importlib.import_module(module).__doc__ or "") + doc, \
            f"{name}: neither it nor {module} cites references"
