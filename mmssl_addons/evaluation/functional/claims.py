"""Is a base-vs-add-on difference reproduced over seeds?"""
import math
from typing import Dict, Mapping


def claim_summary(per_seed: Mapping[str, Mapping[str, float]],
                  higher_is_better: bool = True) -> Dict[str, object]:
    """Mean and spread of ``addon - base`` over seeds, and the verdict.

    ``delta_s = addon_s - base_s`` for every seed ``s``;
    ``mean_delta`` is their mean and ``std_delta`` their sample standard
    deviation (``ddof = 1``). The claim is *reproduced* when the add-on is
    better on average by more than two standard deviations
    (``signed mean > 2 std``, with ``signed = mean`` when higher is better
    and ``-mean`` otherwise) and every seed agrees in sign. With fewer than
    two seeds the spread is unknown and nothing counts as reproduced.

    Args:
        per_seed (dict): ``{seed: {'base': b, 'addon': a, ...}}``; other
            keys (e.g. ``'random'``) are ignored.
        higher_is_better (bool): Direction the claim predicts.

    Returns:
        dict: ``mean_delta``, ``std_delta`` (None below two seeds),
        ``num_seeds``, ``signs_agree`` and ``reproduced``.
    """
    if not per_seed:
        raise ValueError('per_seed is empty: run at least one seed.')
    deltas = []
    for seed, row in per_seed.items():
        if 'base' not in row or 'addon' not in row:
            raise ValueError(f'seed {seed} needs both "base" and "addon", '
                             f'got {sorted(row)}.')
        delta = float(row['addon']) - float(row['base'])
        if not math.isfinite(delta):
            raise ValueError(f'seed {seed}: the difference is not finite.')
        deltas.append(delta)
    n = len(deltas)
    mean = sum(deltas) / n
    std = (
        math.sqrt(sum(
            (d - mean)**2 for d in deltas) / (n - 1)) if n > 1 else None)
    sign = 1.0 if higher_is_better else -1.0
    agree = all(sign * d > 0 for d in deltas)
    reproduced = bool(std is not None and agree and sign * mean > 2 * std)
    return dict(
        mean_delta=mean,
        std_delta=std,
        num_seeds=n,
        signs_agree=agree,
        reproduced=reproduced)
