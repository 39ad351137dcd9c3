"""claim_summary: mean / sample std of add-on - base, and the verdict."""
import math

import pytest

from mmssl_addons.evaluation.functional import claim_summary


def _rows(deltas, base=10.0):
    return {
        str(i): dict(base=base, addon=base + d, random=0.0)
        for i, d in enumerate(deltas)
    }


def test_mean_and_sample_std_by_hand():
    out = claim_summary(_rows([2.0, 2.5, 3.0]))
    assert out['mean_delta'] == pytest.approx(2.5)
    assert out['std_delta'] == pytest.approx(0.5)  # ddof = 1
    assert out['reproduced'] and out['signs_agree']


def test_two_std_is_not_enough_with_the_sample_std():
    # mean 2, sample std 1: 2 > 2 * 1 fails; a population std (0.816)
    # would wrongly call it reproduced
    out = claim_summary(_rows([1.0, 2.0, 3.0]))
    assert out['std_delta'] == pytest.approx(1.0)
    assert not out['reproduced']


def test_every_seed_must_agree_in_sign():
    out = claim_summary(_rows([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, -0.01]))
    assert out['mean_delta'] > 2 * out['std_delta']
    assert not out['signs_agree'] and not out['reproduced']


def test_lower_is_better_flips_the_direction():
    rows = _rows([-0.2, -0.25, -0.3])
    assert claim_summary(rows, higher_is_better=False)['reproduced']
    assert not claim_summary(rows, higher_is_better=True)['reproduced']


def test_one_seed_has_no_spread_and_never_reproduces():
    out = claim_summary(_rows([9.0]))
    assert out['std_delta'] is None and not out['reproduced']
    assert out['num_seeds'] == 1


@pytest.mark.parametrize('rows,match',
                         [({}, 'empty'), ({
                             '0': dict(base=1.0)
                         }, 'addon'),
                          ({
                              '0': dict(base=1.0, addon=math.nan)
                          }, 'finite')])
def test_bad_input_names_the_problem(rows, match):
    with pytest.raises(ValueError, match=match):
        claim_summary(rows)
