"""Concise reprs for result objects: arrays by shape, lists by length, numbers
as they are, so that a result printed in a notebook fits on a line."""

import dataclasses

import numpy as np


def _short(v):
    if isinstance(v, np.ndarray):
        return str(v.shape) if v.ndim else f"{v.item():.6g}"
    if isinstance(v, (list, tuple)):
        if len(v) <= 3 and all(isinstance(e, (int, float, str, np.generic)) for e in v):
            return repr(type(v)(np.asarray(e).item() if isinstance(e, np.generic) else e for e in v))
        return f"[{len(v)} item{'s' if len(v) != 1 else ''}]"
    if isinstance(v, dict):
        return "{" + ", ".join(str(k) for k in v) + "}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, (int, bool, str, np.integer, np.bool_)) or v is None:
        return repr(v.item() if isinstance(v, np.generic) else v)
    return type(v).__name__


def array_repr(self):
    """``Name(array: shape, field=value, ...)`` (for dataclasses)."""
    parts = []
    for f in dataclasses.fields(self):
        v = getattr(self, f.name)
        if f.repr:
            parts.append(f"{f.name}: {_short(v)}" if isinstance(v, np.ndarray) and v.ndim else f"{f.name}={_short(v)}")
    return f"{type(self).__name__}({', '.join(parts)})"


def html_table(caption, header, rows):
    """A small HTML table for ``_repr_html_`` (cells are escaped)."""
    from html import escape

    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return (f"<table><caption style='text-align:left'>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
