"""WarmupCosineLR and NamedParamGroupsConstructor with mmengine's builders."""
import math

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import PARAM_SCHEDULERS

import mmssl_addons  # noqa: F401


class Net(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = torch.nn.Linear(2, 2)
        self.sca_head = torch.nn.Linear(2, 1)


def build(epoch_length=4, **sched):
    wrapper = build_optim_wrapper(
        Net(),
        dict(
            constructor='NamedParamGroupsConstructor',
            optimizer=dict(type='SGD', lr=2.0, weight_decay=1e-4),
            paramwise_cfg=dict(
                default='core',
                groups=dict(
                    attention=dict(
                        prefix='sca_head.', lr_mult=0.1, decay_mult=0)))))
    cfg = dict(
        type='WarmupCosineLR',
        warmup=2,
        start_factor=dict(core=0.25, attention=0.5),
        end_factor=dict(core=0.01, attention=0.),
        begin=0,
        end=6,
        by_epoch=True,
        convert_to_iter_based=True)
    cfg.update(sched)
    scheduler = PARAM_SCHEDULERS.build(
        cfg, default_args=dict(optimizer=wrapper, epoch_length=epoch_length))
    return wrapper, scheduler


def expected(t, total, warmup, peak, start, end):
    """Naive: linear from start*peak to peak, then half cosine to end*peak."""
    if t < warmup:
        return start * peak + (peak - start * peak) * t / warmup
    x = (t - warmup) / (total - warmup)
    return end * peak + (peak - end * peak) * (1 + math.cos(math.pi * x)) / 2


def test_groups_and_rates_per_iteration():
    wrapper, scheduler = build()
    groups = wrapper.optimizer.param_groups
    assert [g['name'] for g in groups] == ['attention', 'core']
    assert [len(g['params']) for g in groups] == [2, 2]
    assert [g['weight_decay'] for g in groups] == [0., 1e-4]
    for t in range(24):  # 6 epochs x 4 iterations, warm-up 8 iterations
        for g, peak, start, end in zip(groups, (0.2, 2.0), (0.5, 0.25),
                                       (0., 0.01)):
            assert g['lr'] == pytest.approx(
                expected(t, 24, 8, peak, start, end), rel=1e-12)
        wrapper.step()
        scheduler.step()
    # resumable: the state dict round-trips
    state = scheduler.state_dict()
    _, fresh = build()
    fresh.load_state_dict(state)
    assert fresh.last_step == scheduler.last_step


def test_bad_configs_name_the_problem():
    with pytest.raises(KeyError, match="name='core'"):
        build(start_factor=dict(attention=0.5))
    with pytest.raises(ValueError, match='warmup'):
        build(warmup=6)
    with pytest.raises(ValueError, match='paramwise_cfg keys'):
        build_optim_wrapper(
            Net(),
            dict(
                constructor='NamedParamGroupsConstructor',
                optimizer=dict(type='SGD', lr=1.),
                paramwise_cfg=dict(custom_keys={})))


def test_scaled_rates_scale_the_whole_schedule():
    """Runner.scale_lr (--auto-scale-lr) multiplies every group's lr before
    the schedulers are built: start, peak and end all follow."""
    wrapper, _ = build()
    for g in wrapper.optimizer.param_groups:  # back to the unscheduled lr
        g['lr'] = g.pop('initial_lr') * 0.125
    cfg = dict(
        type='WarmupCosineLR',
        warmup=2,
        start_factor=dict(core=0.25, attention=0.5),
        end_factor=dict(core=0.01, attention=0.),
        begin=0,
        end=6,
        convert_to_iter_based=True)
    scheduler = PARAM_SCHEDULERS.build(
        cfg, default_args=dict(optimizer=wrapper, epoch_length=4))
    rates = [g['lr'] for g in wrapper.optimizer.param_groups]
    assert rates == pytest.approx([0.125 * 0.2 * 0.5, 0.125 * 2.0 * 0.25])
    for _ in range(8):
        wrapper.step()
        scheduler.step()
    rates = [g['lr'] for g in wrapper.optimizer.param_groups]
    assert rates == pytest.approx([0.125 * 0.2, 0.125 * 2.0])
