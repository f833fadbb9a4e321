"""matplotlib helpers: they take arrays or results and return Axes; no simulation here."""

import numpy as np

__all__ = ["basins", "lyapunov_convergence", "orbit_diagram", "phase_portrait", "time_series"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def time_series(t, y, ax=None, labels=None, xlabel="time", ylabel="state", **kwargs):
    """Plot ``y`` (shape ``(n_t,)`` or ``(n_t, n)``) against ``t``; returns the Axes.

    Parameters
    ----------
    t : array_like, shape (n_t,)
    y : array_like, shape (n_t,) or (n_t, n)
    ax : matplotlib Axes, optional
    labels : list of str, optional
    xlabel, ylabel : str
    **kwargs
        Passed to ``ax.plot``.
    """
    ax = _axes(ax)
    y = np.asarray(y)
    y2 = y.reshape(y.shape[0], -1)
    for k in range(y2.shape[1]):
        label = labels[k] if labels is not None else (f"$y_{{{k + 1}}}$" if y2.shape[1] <= 10 else None)
        ax.plot(t, y2[:, k], label=label, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if y2.shape[1] <= 10:
        ax.legend(loc="best", fontsize="small")
    return ax


def phase_portrait(x, y, u, v, ax=None, nullclines=True, fixed_points=None, density=1.0,
                   labels=("$y_1$", "$y_2$")):
    """Streamlines of a planar vector field, its nullclines and fixed points.

    Parameters
    ----------
    x, y : ndarray, shape (nx,), (ny,)
        Grid coordinates.
    u, v : ndarray, shape (ny, nx)
        ``dx/dt`` and ``dy/dt`` on the grid (``u[iy, ix]``).
    nullclines : bool
        Draw ``u = 0`` and ``v = 0`` as zero contours.
    fixed_points : FixedPoints, optional
        A result of ``dynnets.analysis.fixed_points``: stable points filled,
        unstable ones open, labelled by kind.

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    speed = np.hypot(u, v)
    ax.streamplot(x, y, u, v, color=np.log10(speed + 1e-12), cmap="Greys", density=density,
                  linewidth=0.6, arrowsize=0.7)
    if nullclines:
        ax.contour(x, y, u, levels=[0.0], colors="tab:blue", linewidths=1.5)
        ax.contour(x, y, v, levels=[0.0], colors="tab:orange", linewidths=1.5)
        # proxies, so that a later ax.legend() lists the nullclines
        ax.plot([], [], color="tab:blue", lw=1.5, label=f"{labels[0]}-nullcline")
        ax.plot([], [], color="tab:orange", lw=1.5, label=f"{labels[1]}-nullcline")
    if fixed_points is not None:
        for kind in sorted(set(fixed_points.stability)):
            pts = fixed_points.points[[s == kind for s in fixed_points.stability]]
            stable = kind.startswith("stable")
            ax.plot(pts[:, 0], pts[:, 1], "o", ms=7, mec="k", mfc="k" if stable else "white", label=kind,
                    zorder=5)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    return ax


def lyapunov_convergence(t, history, ax=None, reference=None):
    """Running Lyapunov exponent estimates (shape ``(m, k)``) against time or
    iterations ``t`` (shape ``(m,)``), with optional reference values; returns the Axes.

    Parameters
    ----------
    t : array_like, shape (m,)
    history : array_like, shape (m, k)
    ax : matplotlib Axes, optional
    reference : array_like, shape (k,), optional
        Drawn as dotted lines.
    """
    ax = _axes(ax)
    history = np.atleast_2d(np.asarray(history).T).T
    for j in range(history.shape[1]):
        line, = ax.plot(t, history[:, j], label=f"$\\lambda_{{{j + 1}}}$")
        if reference is not None and j < len(reference):
            ax.axhline(reference[j], color=line.get_color(), ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("averaging time")
    ax.set_ylabel("running estimate")
    ax.legend(loc="best", fontsize="small")
    return ax


def orbit_diagram(values, points, ax=None, s=0.05, color="k", xlabel="parameter", ylabel="state"):
    """Orbit (bifurcation) diagram: ``points`` of shape ``(m, r)`` against
    ``values`` of shape ``(m,)``; NaNs are skipped. Returns the Axes.

    Parameters
    ----------
    values : array_like, shape (m,)
    points : array_like, shape (m, r)
    ax : matplotlib Axes, optional
    s : float
        Marker size.
    color, xlabel, ylabel : str
    """
    ax = _axes(ax)
    values = np.asarray(values)
    points = np.asarray(points)
    X = np.repeat(values[:, None], points.shape[1], axis=1)
    ok = np.isfinite(points)
    ax.scatter(X[ok], points[ok], s=s, c=color, marker=".", linewidths=0, rasterized=True)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def basins(result, ax=None, cmap="tab10", xlabel="$y_1(0)$", ylabel="$y_2(0)$"):
    """Basins of a 2-d grid (a ``Basins`` result) as an image, escaping initial
    conditions in white; returns the Axes.

    Parameters
    ----------
    result : Basins
        Of a 2-d grid of starts.
    ax : matplotlib Axes, optional
    cmap, xlabel, ylabel : str
    """
    import matplotlib.colors as mcolors

    ax = _axes(ax)
    if result.labels.ndim != 2:
        raise ValueError("basins can be drawn as an image for 2-d grids only")
    k = len(result.attractors)
    colors = ["white"] + [mcolors.to_hex(c) for c in __import__("matplotlib").colormaps[cmap].colors[:k]]
    x, y = result.axes
    ax.imshow(result.labels.T + 1, origin="lower", extent=(x[0], x[-1], y[0], y[-1]), aspect="auto",
              cmap=mcolors.ListedColormap(colors), vmin=0, vmax=k, interpolation="nearest")
    for j, a in enumerate(result.attractors):
        ax.plot([], [], "s", color=colors[j + 1], label=f"{a.kind} ({100 * a.fraction:.1f}%)")
    ax.legend(loc="upper right", fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
