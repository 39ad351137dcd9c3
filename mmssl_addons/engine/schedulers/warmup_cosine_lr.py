"""Linear warm-up then cosine decay, with factors per named param group."""
import math
from typing import Dict, Union

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
from mmpretrain.registry import PARAM_SCHEDULERS

Factor = Union[float, Dict[str, float]]


@PARAM_SCHEDULERS.register_module()
class WarmupCosineLR(LRSchedulerMixin, _ParamScheduler):
    """The SwAV-code schedule that the SCA paper trains with (supp. 1.2).

    For a param group with base (peak) rate ``lr`` and step ``t`` counted
    from ``begin`` (``T = end - begin`` steps, ``W = warmup``):

    * ``t < W``: ``lr_0 + (lr - lr_0) t / W`` with ``lr_0 = start * lr``;
    * ``t >= W``: ``lr_T + 0.5 (lr - lr_T) (1 + cos(pi (t - W) / (T - W)))``
      with ``lr_T = end_factor * lr``.

    So a group starts at ``start * lr``, reaches ``lr`` at ``W`` and decays
    to ``end_factor * lr`` at ``T``. The SCA paper gives the core engine
    0.3 -> 3.6 -> 0.0036 and the attention module 0.015 -> 0.03 -> 1e-6, a
    10-epoch warm-up for both: two groups with different factors, which one
    chain of mmengine's ``LinearLR`` + ``CosineAnnealingLR`` cannot express
    (their factors are shared by all groups). ``start_factor`` and
    ``end_factor`` are a float for every group or a dict from a group's
    ``'name'`` (see :class:`NamedParamGroupsConstructor`) to its factor.
    Factors are relative to the group's rate, so ``auto_scale_lr`` scales the
    whole schedule.

    Args:
        optimizer: the optimizer (wrapper).
        warmup (int): ``W``, in epochs if ``by_epoch`` (converted with
            ``convert_to_iter_based=True``) else iterations.
        start_factor (float | dict): ``lr_0 / lr``. Defaults to 1.
        end_factor (float | dict): ``lr_T / lr``. Defaults to 0.
        begin (int): first step. Defaults to 0.
        end (int): last step ``T`` (exclusive). Required.
        last_step (int): Defaults to -1.
        by_epoch (bool): Defaults to True.
        verbose (bool): Defaults to False.
    """

    def __init__(self,
                 optimizer,
                 warmup: int,
                 start_factor: Factor = 1.,
                 end_factor: Factor = 0.,
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False) -> None:
        if end == INF:
            raise ValueError('WarmupCosineLR needs `end` (the step where the '
                             'cosine reaches end_factor * lr).')
        if not 0 <= warmup < end - begin:
            raise ValueError(f'warmup must lie in [0, end - begin) = '
                             f'[0, {end - begin}), got {warmup}.')
        self.warmup = warmup
        self.start_factors = self._per_group(optimizer, start_factor,
                                             'start_factor')
        self.end_factors = self._per_group(optimizer, end_factor, 'end_factor')
        super().__init__(
            optimizer,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)

    @staticmethod
    def _per_group(optimizer, factor: Factor, arg: str) -> list:
        if not isinstance(factor, dict):
            return [float(factor)] * len(optimizer.param_groups)
        out = []
        for i, group in enumerate(optimizer.param_groups):
            name = group.get('name')
            if name not in factor:
                raise KeyError(
                    f'WarmupCosineLR: {arg} has no entry for param group {i} '
                    f'(name={name!r}); give one for each of '
                    f'{[g.get("name") for g in optimizer.param_groups]} or a '
                    'single float (named groups come from '
                    'NamedParamGroupsConstructor).')
            out.append(float(factor[name]))
        return out

    @classmethod
    def build_iter_from_epoch(cls,
                              *args,
                              warmup,
                              begin=0,
                              end=INF,
                              by_epoch=True,
                              epoch_length=None,
                              **kwargs):
        """Epoch-based config -> iteration-based scheduler."""
        if not by_epoch or not epoch_length or epoch_length <= 0:
            raise ValueError('convert_to_iter_based needs by_epoch=True and '
                             f'a positive epoch_length, got {epoch_length}.')
        end = end * epoch_length if end != INF else end
        return cls(
            *args,
            warmup=warmup * epoch_length,
            begin=begin * epoch_length,
            end=end,
            by_epoch=False,
            **kwargs)

    def value_at(self, t: int, base: float, start: float,
                 end_factor: float) -> float:
        """The rate at step ``t`` (from ``begin``) of a group with peak
        ``base``."""
        if t < self.warmup:
            lr0 = start * base
            return lr0 + (base - lr0) * t / self.warmup
        total = self.end - self.begin - self.warmup
        final = end_factor * base
        return final + 0.5 * (base - final) * (
            1 + math.cos(math.pi * (t - self.warmup) / total))

    def _get_value(self):
        return [
            self.value_at(self.last_step, base, start, end) for base, start,
            end in zip(self.base_values, self.start_factors, self.end_factors)
        ]
