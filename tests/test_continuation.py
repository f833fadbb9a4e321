"""Fixed-point continuation against closed-form bifurcation points."""

import numpy as np
import pytest

import dynnets as dn
from dynnets.analysis import continuation


def test_lorenz_hopf_point():
    s, b = 10.0, 8.0 / 3.0
    rho_hopf = s * (s + b + 3) / (s - b - 1)  # subcritical Hopf of C+-
    c = np.sqrt(b * (2.0 - 1))
    br = continuation(dn.lorenz(), 1, [c, c, 1.0], 2.0, 30.0, ds=0.1, ds_max=1.0)
    hopf = [x for x in br.bifurcations if x.kind == "hopf"]
    assert len(hopf) == 1
    assert hopf[0].param == pytest.approx(rho_hopf, rel=0.005)  # the acceptance bound
    assert hopf[0].param == pytest.approx(rho_hopf, rel=1e-8)  # what the bisection achieves
    # at the Hopf point a complex pair sits on the imaginary axis
    eig = hopf[0].eigenvalues
    assert np.min(np.abs(eig[np.abs(eig.imag) > 1e-6].real)) < 1e-6
    # on the branch, C+ = (sqrt(b (rho - 1)), same, rho - 1)
    np.testing.assert_allclose(br.points[:, 0], np.sqrt(b * (br.params - 1)), rtol=1e-8)
    assert br.stability[0].startswith("stable") and not br.stability[-1].startswith("stable")


def test_ctrnn_self_coupled_neuron_folds():
    # y' = -y + w sigma(y + theta): folds where w sigma' = 1, i.e. sigma (1 - sigma) = 1 / w
    w = 6.0
    sig = (1 + np.array([-1.0, 1.0]) * np.sqrt(1 - 4 / w)) / 2
    theta_fold = np.log(sig / (1 - sig)) - w * sig
    net = dn.CTRNN([[w]], tau=1.0, bias=[-5.0])
    br = continuation(net.system(), 2, [0.0], -5.0, 0.0, ds=0.01, ds_max=0.1)  # params[2] is the bias
    folds = sorted(x.param for x in br.bifurcations if x.kind == "saddle-node")
    np.testing.assert_allclose(folds, np.sort(theta_fold), atol=1e-8)
    # the branch turns back twice: the middle part is unstable
    assert "unstable node" in br.stability and br.stability[0] == "stable node"


def test_bad_input():
    with pytest.raises(TypeError, match="a System"):
        continuation(dn.henon(), 0, [0.0, 0.0], 1.0, 1.4)
    with pytest.raises(ValueError, match="p0 and p_end must differ"):
        continuation(dn.lorenz(), 1, [0.0, 0.0, 0.0], 1.0, 1.0)
    with pytest.raises(ValueError, match="param must be <= 2"):
        continuation(dn.lorenz(), 5, [0.0, 0.0, 0.0], 1.0, 2.0)


def test_ctrnn_oscillator_hopf_points_where_the_pair_turns_real_between_steps():
    # Beer's 2-neuron oscillator: continuing in theta_1 from the center-crossing point, the
    # focus turns stable through a Hopf point on each side; along the way the eigenvalues
    # become real, which a test on complex pairs alone missed (a regression)
    W = np.array([[4.5, -1.0], [1.0, 4.5]])
    net = dn.CTRNN(W, tau=1.0, bias=[-2.75, -1.75])
    found = []
    for end in (-10.0, 6.0):
        br = continuation(net.system(), 6, [2.75, 1.75], -2.75, end)
        hopf = [b for b in br.bifurcations if b.kind == "hopf"]
        assert len(hopf) == 1
        found.append(hopf[0])
    for h in found:  # a 2-D Hopf point: trace 0, determinant > 0 (from the analytic Jacobian)
        J = dn.CTRNN(W, tau=1.0, bias=[h.param, -1.75]).jacobian(h.point)
        assert abs(np.trace(J)) < 1e-9 and np.linalg.det(J) > 0
    assert found[0].param < -2.75 < found[1].param
