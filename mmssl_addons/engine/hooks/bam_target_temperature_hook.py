"""Linear schedule of BAM's target (Sinkhorn) temperature ``tau_t``."""
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from .model_wrapper import unwrap_model


@HOOKS.register_module()
class BAMTargetTemperatureHook(Hook):
    """Pass ``tau_t`` to the model's :class:`BAMLoss` before every training
    iteration (its ``set_target_temperature``).

    ``tau_t`` goes linearly from ``start`` to ``end`` over the first
    ``warmup_epochs`` epochs (per iteration), then stays at ``end``; as in
    the BAM authors' schedule (linear over 30 epochs, 0.05 -> 0.05 in their
    released ViT-S script, i.e. constant). The value depends only on
    ``runner.iter``, so ``--resume`` continues the schedule.

    Args:
        start (float): ``tau_t`` at iteration 0.
        end (float): ``tau_t`` after the warm-up.
        warmup_epochs (float): length of the ramp in epochs.
        module_name (str): attribute of the model holding the loss.
    """

    priority = 'NORMAL'

    def __init__(self,
                 start: float = 0.05,
                 end: float = 0.05,
                 warmup_epochs: float = 30,
                 module_name: str = 'bam_loss') -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'tau_t must stay > 0, got start={start}, '
                             f'end={end}.')
        if warmup_epochs < 0:
            raise ValueError(f'warmup_epochs must be >= 0, got '
                             f'{warmup_epochs}.')
        self.start = start
        self.end = end
        self.warmup_epochs = warmup_epochs
        self.module_name = module_name

    def value(self, cur_iter: int, iters_per_epoch: float) -> float:
        """``tau_t`` at iteration ``cur_iter``."""
        ramp = self.warmup_epochs * iters_per_epoch
        if ramp <= 0 or cur_iter >= ramp:
            return self.end
        return self.start + (self.end - self.start) * cur_iter / ramp

    def _loss(self, runner):
        model = unwrap_model(runner.model)
        loss = getattr(model, self.module_name, None)
        if not callable(getattr(loss, 'set_target_temperature', None)):
            raise AttributeError(
                f'{type(model).__name__} has no '
                f'{self.module_name}.set_target_temperature; '
                'BAMTargetTemperatureHook needs a BAM model (or set '
                'module_name to the attribute holding a BAMLoss).')
        return loss

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        max_epochs = getattr(runner, 'max_epochs', None) or 1
        iters_per_epoch = runner.max_iters / max_epochs
        tau_t = self.value(runner.iter, iters_per_epoch)
        self._loss(runner).set_target_temperature(tau_t)
        runner.message_hub.update_scalar('train/tau_t', tau_t)
