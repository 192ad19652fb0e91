"""FusedAdam steps straight into torch's fused kernel: the same arithmetic as torch's Adam."""

from __future__ import annotations

import copy

import pytest
import torch

from rlcore.algos.base import FusedAdam, make_adam, optimize


def _nets(seed: int = 0) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    return net, copy.deepcopy(net)


def _loss(net: torch.nn.Module, step: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(step)
    x = torch.randn(16, 3, generator=g)
    return net(x).pow(2).mean() + net(x).sum() * 0.1


def _same(a: torch.nn.Module, b: torch.nn.Module) -> None:
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_bit_identical_to_torch_fused_adam(set_to_none):
    ours_net, ref_net = _nets()
    ours = FusedAdam(ours_net.parameters(), lr=1e-2)
    ref = torch.optim.Adam(ref_net.parameters(), lr=1e-2, fused=True)
    for step in range(12):
        optimize(ours, _loss(ours_net, step), set_to_none=set_to_none)
        optimize(ref, _loss(ref_net, step), set_to_none=set_to_none)
        _same(ours_net, ref_net)
    assert ours._plan is not None  # the later steps went the direct way
    for p, q in zip(ours_net.parameters(), ref_net.parameters()):
        s, r = ours.state[p], ref.state[q]
        assert torch.equal(s["exp_avg"], r["exp_avg"]) and torch.equal(s["step"], r["step"])


def test_parameter_without_gradient_is_skipped_as_torch_does():
    ours_net, ref_net = _nets()
    ours = FusedAdam(ours_net.parameters(), lr=1e-2)
    ref = torch.optim.Adam(ref_net.parameters(), lr=1e-2, fused=True)
    for step in range(6):
        for net, opt in ((ours_net, ours), (ref_net, ref)):
            opt.zero_grad(set_to_none=True)
            loss = _loss(net, step)
            if step >= 3:  # the first layer gets no gradient: it must not move
                loss = net[2](torch.ones(1, 8)).sum()
            loss.backward()
            opt.step()
    _same(ours_net, ref_net)
    assert torch.equal(ours.state[ours_net[0].weight]["step"], torch.tensor(3.0))


def test_loaded_state_and_changed_lr_are_followed():
    ours_net, ref_net = _nets()
    ours = FusedAdam(ours_net.parameters(), lr=1e-2)
    ref = torch.optim.Adam(ref_net.parameters(), lr=1e-2, fused=True)
    for step in range(3):
        optimize(ours, _loss(ours_net, step))
        optimize(ref, _loss(ref_net, step))
    saved = copy.deepcopy(ours.state_dict())
    optimize(ours, _loss(ours_net, 99))  # a step that the loaded state undoes
    ours.load_state_dict(saved)
    ours_net.load_state_dict(ref_net.state_dict())
    for group in (*ours.param_groups, *ref.param_groups):
        group["lr"] = 3e-3
    for step in range(3, 8):
        optimize(ours, _loss(ours_net, step))
        optimize(ref, _loss(ref_net, step))
    _same(ours_net, ref_net)


def test_closure_and_hooks_use_torchs_step():
    net, _ = _nets()
    opt = FusedAdam(net.parameters(), lr=1e-2)
    optimize(opt, _loss(net, 0))
    calls = []
    opt.register_step_post_hook(lambda *_: calls.append(1))
    optimize(opt, _loss(net, 1))
    assert calls == [1]
    loss = opt.step(lambda: _loss(net, 2))
    assert loss is not None


def test_make_adam_is_fused_on_cpu():
    net, _ = _nets()
    assert isinstance(make_adam(net.parameters(), 1e-3, torch.device("cpu")), FusedAdam)


def test_hooks_run_once_in_a_process_without_a_plain_adam():
    """torch wraps Adam.step lazily: our fallback must run the hooks itself, once."""
    import subprocess
    import sys

    code = (
        "import torch\n"
        "from rlcore.algos.base import FusedAdam\n"
        "w = torch.nn.Parameter(torch.ones(2))\n"
        "opt = FusedAdam([w], lr=0.1)\n"
        "calls = []\n"
        "opt.register_step_post_hook(lambda *_: calls.append(1))\n"
        "for _ in range(3):\n"
        "    opt.zero_grad()\n"
        "    w.sum().backward()\n"
        "    opt.step()\n"
        "print(len(calls))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
