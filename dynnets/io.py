"""Saving and loading models: ``.npz`` files with a schema, loaded without pickle.

``save(model, path)`` writes the model's arrays (sparse matrices as their CSR
parts) and its settings (JSON) with the schema name and version, atomically
(a temporary file in the same directory, then a rename: a crash leaves the old
file or the new one, never half of one). ``load(path)`` reads it with
``allow_pickle=False``, checks the schema and version, and rebuilds the model
through its constructor, so a loaded model passes the same validation as a new
one (shapes, ranges); a corrupted or foreign file is refused with a clear
``ValueError``. The round trip is exact (the arrays are stored bitwise).

Saved: CTRNN, Reservoir, LSM, Hopfield, BAM, ModernHopfield, every recurrent
cell (Elman, FullyRecurrent, Jordan, IndRNN, SecondOrder, LSTM, GRU), the BPTT
Readout, a fitted Ridge readout (with its accumulated statistics, so
``partial_fit`` can go on) and an ESN (reservoir and readout). Evolutionary
searches have their own checkpoints (:func:`dynnets.train.evolve`).
"""

import dataclasses
import inspect
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

SCHEMA_VERSION = 1
_PREFIX = "dynnets."


def atomic_write(path, write):
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it
    to ``path`` (atomic on POSIX); the temporary file never outlives a failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)  # mkstemp makes the file private; give it the usual mode
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _classes():
    from .models import BAM, CTRNN, LSM, Hopfield, ModernHopfield, Reservoir
    from .models.cells import (
        GRU,
        LSTM,
        Elman,
        FullyRecurrent,
        IndRNN,
        Jordan,
        SecondOrder,
    )
    from .train.bptt import Readout
    from .train.esn import ESN
    from .train.ridge import Ridge

    return {c.__name__: c for c in (CTRNN, Reservoir, LSM, Hopfield, BAM, ModernHopfield, Elman, FullyRecurrent,
                                    Jordan, IndRNN, SecondOrder, LSTM, GRU, Readout, Ridge, ESN)}


_RIDGE_STATS = ("_sx", "_sy", "_xx", "_xy", "_yy", "_coef", "_intercept", "cv_scores_")


def _ridge_state(r, prefix=""):
    arrays = {prefix + "grid": r.grid}
    settings = {prefix + "ridge": r.ridge, prefix + "fit_intercept": r.fit_intercept,
                prefix + "n_samples_": r.n_samples_, prefix + "ridge_": r.ridge_, prefix + "_dirty": r._dirty}
    if r.n_samples_:
        arrays[prefix + "_shift_x"], arrays[prefix + "_shift_y"] = r._shift
        arrays.update({prefix + k: getattr(r, k) for k in _RIDGE_STATS if getattr(r, k) is not None})
    return arrays, settings


def _ridge_make(cls, arrays, settings, prefix=""):
    r = cls(settings[prefix + "ridge"], fit_intercept=settings[prefix + "fit_intercept"], grid=arrays[prefix + "grid"])
    if settings[prefix + "n_samples_"]:
        r._shift = (arrays[prefix + "_shift_x"], arrays[prefix + "_shift_y"])
        for k in _RIDGE_STATS:
            setattr(r, k, arrays.get(prefix + k))
        r._xx = np.asfortranarray(r._xx)
        r.n_samples_ = int(settings[prefix + "n_samples_"])
        r.ridge_ = settings[prefix + "ridge_"]
        r._dirty = bool(settings[prefix + "_dirty"])
    return r


def _state(obj):
    """(arrays, settings) of a model: the constructor's arguments."""
    if dataclasses.is_dataclass(obj):
        arrays, settings = {}, {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if v is None:
                continue
            if isinstance(v, np.ndarray) or sp.issparse(v):
                arrays[f.name] = v
            else:
                settings[f.name] = v.item() if isinstance(v, np.generic) else v
        return arrays, settings
    kind = type(obj).__name__
    if kind == "Readout":
        return {"W": obj.W, "b": obj.b}, {"trainable": bool(obj.PARAMS)}
    if kind == "Ridge":
        return _ridge_state(obj)
    if kind == "ESN":
        arrays, settings = _state(obj.reservoir)
        arrays = {"reservoir/" + k: v for k, v in arrays.items()}
        settings = {"reservoir/" + k: v for k, v in settings.items()}
        ra, rs = _ridge_state(obj.readout_, "readout/")
        arrays.update(ra)
        settings.update(rs, washout=obj.washout, use_input=obj.use_input)
        if obj.last_state_ is not None:
            arrays["last_state_"] = obj.last_state_
        return arrays, settings
    # a recurrent cell: its parameters, and its keyword-only settings
    arrays = dict(obj.parameters())
    kw = [p.name for p in inspect.signature(type(obj).__init__).parameters.values() if p.kind == p.KEYWORD_ONLY]
    settings = {k: getattr(obj, k) for k in kw}
    return arrays, {k: v.name if isinstance(v, np.dtype) else v for k, v in settings.items()}


def save(model, path):
    """Write ``model`` to ``path`` (``.npz``), atomically.

    Parameters
    ----------
    model : CTRNN, Reservoir, LSM, Hopfield, BAM, ModernHopfield, a recurrent cell or Readout
    path : str or Path

    Returns
    -------
    Path
    """
    name = type(model).__name__
    if name not in _classes():
        raise TypeError(f"model: cannot save a {name}; savable: {', '.join(sorted(_classes()))}")
    arrays, settings = _state(model)
    payload = {"__schema__": np.array(_PREFIX + name), "__version__": np.array(SCHEMA_VERSION),
               "__settings__": np.array(json.dumps(settings))}
    for k, a in arrays.items():
        if sp.issparse(a):
            a = sp.csr_array(a)
            payload[f"{k}.csr_data"], payload[f"{k}.csr_indices"] = a.data, a.indices
            payload[f"{k}.csr_indptr"], payload[f"{k}.csr_shape"] = a.indptr, np.array(a.shape)
        else:
            payload[k] = np.asarray(a)
    path = Path(path)

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **payload)

    atomic_write(path, write)
    return path


def load(path):
    """Read a model written by :func:`save` (``allow_pickle=False``; validated
    by the model's constructor).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    the model
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{path}: not a readable .npz file ({err})") from None
    if "__schema__" not in data or not str(data["__schema__"]).startswith(_PREFIX):
        raise ValueError(f"{path} is not a dynnets model file (no dynnets schema)")
    name = str(data.pop("__schema__"))[len(_PREFIX):]
    version = int(data.pop("__version__", -1))
    if version != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema version {version}, this dynnets reads {SCHEMA_VERSION}")
    classes = _classes()
    if name not in classes:
        raise ValueError(f"{path}: unknown model type {name!r}")
    try:
        settings = json.loads(str(data.pop("__settings__")))
    except (KeyError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: damaged settings ({err})") from None
    args = {}
    for k in list(data):
        if k.endswith(".csr_data"):
            base = k[: -len(".csr_data")]
            try:
                args[base] = sp.csr_array((data.pop(k), data.pop(base + ".csr_indices"), data.pop(base + ".csr_indptr")),
                                          shape=tuple(int(s) for s in data.pop(base + ".csr_shape")))
            except (KeyError, ValueError) as err:
                raise ValueError(f"{path}: damaged sparse matrix {base} ({err})") from None
    args.update(data)
    try:
        return _make(classes, name, args, settings)
    except (TypeError, KeyError) as err:
        raise ValueError(f"{path}: the file does not match a {name} ({err})") from None


def _make(classes, name, arrays, settings):
    """The model from its arrays and settings, through its constructor."""
    if name == "Ridge":
        return _ridge_make(classes[name], arrays, settings)
    if name == "ESN":
        part = {k[len("reservoir/"):]: v for k, v in {**arrays, **settings}.items() if k.startswith("reservoir/")}
        esn = classes[name](classes["Reservoir"](**part), ridge=settings["readout/ridge"],
                            washout=settings["washout"], use_input=settings["use_input"])
        esn.readout_ = _ridge_make(classes["Ridge"], arrays, settings, "readout/")
        esn.last_state_ = arrays.get("last_state_")
        return esn
    return classes[name](**arrays, **settings)
