"""BAMTargetTemperatureHook hands tau_t to the loss through its setter."""
from types import SimpleNamespace
from unittest import mock

import pytest
import torch
from mmengine.logging import MessageHub

from mmssl_addons.engine.hooks import BAMTargetTemperatureHook
from mmssl_addons.models.losses.bam_loss import BAMLoss, bam_loss


def stand_in_runner(loss, it=5, max_iters=20, max_epochs=2):
    """What the hook reads of a runner: 10 iterations per epoch."""
    return SimpleNamespace(
        model=SimpleNamespace(bam_loss=loss),
        iter=it,
        max_iters=max_iters,
        max_epochs=max_epochs,
        message_hub=MessageHub.get_instance('bam_tau_t_hook_test'))


def test_the_hook_calls_the_setter_and_writes_no_attribute():
    # spec_set: writing loss.tau_t (or any attribute) raises
    loss = mock.Mock(spec_set=['set_target_temperature'])
    hook = BAMTargetTemperatureHook(start=0.08, end=0.04, warmup_epochs=1)
    runner = stand_in_runner(loss)
    hook.before_train_iter(runner, batch_idx=0)
    loss.set_target_temperature.assert_called_once()
    (value, ), _ = loss.set_target_temperature.call_args
    assert value == pytest.approx(0.06)  # half-way through the ramp
    assert runner.message_hub.get_scalar('train/tau_t').current() == \
        pytest.approx(0.06)


def test_the_value_reaches_the_loss_computation():
    torch.manual_seed(0)
    emb = torch.randn(2 * 6, 8)
    loss = BAMLoss(num_views=2, num_global=2, tau=0.1, tau_t=0.05)
    before = loss(emb)
    BAMTargetTemperatureHook(
        start=0.5, end=0.5, warmup_epochs=0).before_train_iter(
            stand_in_runner(loss), batch_idx=0)
    expected = bam_loss(emb, num_views=2, num_global=2, tau=0.1, tau_t=0.5)
    torch.testing.assert_close(loss(emb), expected)
    assert not torch.allclose(before, expected)


def test_setter_checks_the_value_and_the_hook_the_model():
    loss = BAMLoss(num_views=2, num_global=2)
    with pytest.raises(ValueError, match='tau_t must be > 0'):
        loss.set_target_temperature(0.)
    with pytest.raises(AttributeError, match='set_target_temperature'):
        BAMTargetTemperatureHook().before_train_iter(
            stand_in_runner(object()), batch_idx=0)
