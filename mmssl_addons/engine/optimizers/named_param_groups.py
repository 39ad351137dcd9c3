"""Optimizer with one named param group per parameter-name prefix."""
from typing import Optional

import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmpretrain.registry import (OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                                 OPTIMIZERS)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class NamedParamGroupsConstructor:
    """Build the optimizer with a few named param groups.

    ``paramwise_cfg = dict(groups=dict(attention=dict(prefix='sca_head.',
    lr_mult=1 / 120)), default='core')`` puts every parameter whose name
    starts with ``'sca_head.'`` into a group ``{'name': 'attention', 'lr':
    lr / 120}`` and the others into ``{'name': 'core', 'lr': lr}``: two
    groups with their own rates, which :class:`WarmupCosineLR` schedules
    each with its own factors (the SCA paper's core-engine and
    attention-module schedules). A parameter goes to the first group whose
    prefix matches; a group with no parameter (e.g. a baseline without the
    add-on) is left out. A group may also set ``decay_mult``.

    Args:
        optim_wrapper_cfg (dict): ``dict(type='OptimWrapper', optimizer=...)``
            as for mmengine's default constructor.
        paramwise_cfg (dict): ``groups`` (name -> ``dict(prefix, lr_mult=1,
            decay_mult=1)``) and ``default`` (the other parameters' group
            name, ``'default'`` if not given).
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        if 'optimizer' not in optim_wrapper_cfg:
            raise ValueError('optim_wrapper needs an `optimizer` dict.')
        paramwise_cfg = dict(paramwise_cfg or {})
        unknown = set(paramwise_cfg) - {'groups', 'default'}
        if unknown:
            raise ValueError(
                f'NamedParamGroupsConstructor: unknown paramwise_cfg keys '
                f'{sorted(unknown)}; it takes `groups` and `default`.')
        self.groups = dict(paramwise_cfg.get('groups', {}))
        for name, spec in self.groups.items():
            bad = set(spec) - {'prefix', 'lr_mult', 'decay_mult'}
            if 'prefix' not in spec or bad:
                raise ValueError(
                    f'group {name!r} must be dict(prefix=..., lr_mult=..., '
                    f'decay_mult=...), got {dict(spec)}.')
        self.default = paramwise_cfg.get('default', 'default')
        if self.default in self.groups:
            raise ValueError(f'default group name {self.default!r} is also '
                             'a prefix group name.')
        self.optim_wrapper_cfg = dict(optim_wrapper_cfg)
        self.optimizer_cfg = dict(self.optim_wrapper_cfg.pop('optimizer'))

    def param_groups(self, model: nn.Module) -> list:
        """``[{'name', 'params', 'lr', ...}, ...]`` of ``model``."""
        lr = self.optimizer_cfg['lr']
        wd = self.optimizer_cfg.get('weight_decay')
        members = {name: [] for name in (*self.groups, self.default)}
        for pname, param in model.named_parameters():
            group = next((name for name, spec in self.groups.items()
                          if pname.startswith(spec['prefix'])), self.default)
            members[group].append(param)
        out = []
        for name, params in members.items():
            if not params:
                continue
            spec = self.groups.get(name, {})
            group = dict(
                name=name, params=params, lr=lr * spec.get('lr_mult', 1.))
            if wd is not None:
                group['weight_decay'] = wd * spec.get('decay_mult', 1.)
            out.append(group)
        return out

    def __call__(self, model: nn.Module) -> OptimWrapper:
        if hasattr(model, 'module'):
            model = model.module
        optimizer_cfg = dict(self.optimizer_cfg)
        optimizer_cfg['params'] = self.param_groups(model)
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        # the wrapper tracks the base rate in an extra group made of the
        # defaults (mmengine ``base_param_settings``): it is the default
        # group's rate, so it follows that group's schedule
        optimizer.defaults['name'] = self.default
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        return OPTIM_WRAPPERS.build(
            wrapper_cfg, default_args=dict(optimizer=optimizer))
