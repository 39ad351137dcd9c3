"""mmengine's ``CheckpointHook`` with saves that a kill cannot corrupt."""
import difflib
import glob
import inspect
import os
import os.path as osp
import shutil
from contextlib import contextmanager

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS

from mmssl_addons.utils.atomic_io import atomic_path

#: Suffix of a checkpoint being written; renamed away once complete.
TMP_SUFFIX = '.tmp'


def _save_checkpoint_args() -> set:
    params = inspect.signature(Runner.save_checkpoint).parameters
    return set(params) - {'self', 'out_dir', 'filename'}


def check_extra_args(kwargs: dict, hook: str = 'CheckpointHook') -> None:
    """Refuse ``CheckpointHook`` arguments that ``Runner.save_checkpoint``
    would only reject at the first save (e.g. ``max_keep_ckpt=1``)."""
    allowed = _save_checkpoint_args()
    known = set(inspect.signature(CheckpointHook.__init__).parameters)
    known = sorted((known | allowed) - {'self', 'kwargs'})
    for name in kwargs:
        if name not in allowed:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f' Did you mean {close[0]!r}?' if close else ''
            raise TypeError(f'{hook} got an unknown argument {name!r}.{hint} '
                            f'Its arguments: {", ".join(known)}.')


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose saves leave a complete checkpoint on a kill.

    mmengine 0.10.7 deletes the oldest kept checkpoint (``max_keep_ckpts``)
    *before* writing the new one, and writes it in place: a kill during the
    save leaves a partial file, no previous checkpoint, and a
    ``last_checkpoint`` naming a deleted file. Here each save is written to
    ``<name>.tmp`` and renamed when complete, ``last_checkpoint`` is then
    replaced atomically, and only after that the outdated checkpoint is
    deleted. At any moment the work dir thus holds a complete checkpoint
    that ``last_checkpoint`` names. ``save_best`` likewise writes the new
    best checkpoint to a temporary file and removes the previous best only
    once the new one is complete. Leftover ``*.tmp`` files of a killed run
    are removed in ``before_train``. Remote (non-local) backends keep
    mmengine's behaviour.

    Arguments are those of :class:`mmengine.hooks.CheckpointHook`; extra
    keyword arguments ``Runner.save_checkpoint`` does not take are refused
    here, when the hook is built (mmengine would fail only at the first
    save, after an epoch).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check_extra_args(self.args, type(self).__name__)

    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not (self._is_local() and is_main_process()):
            return
        pattern = self.filename_tmpl.replace('{}', '*') + TMP_SUFFIX
        paths = set()
        for pat in (pattern, 'best_*' + TMP_SUFFIX):
            paths.update(glob.glob(osp.join(glob.escape(self.out_dir), pat)))
        for path in sorted(paths):
            os.remove(path)
            runner.logger.info(f'removed the partial checkpoint {path} of '
                               'an interrupted save')

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._is_local():
            return super()._save_checkpoint_with_step(runner, step, meta)
        outdated = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename + TMP_SUFFIX,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        os.replace(self.last_ckpt + TMP_SUFFIX, self.last_ckpt)
        with atomic_path(osp.join(runner.work_dir, 'last_checkpoint')) as tmp:
            with open(tmp, 'w') as f:
                f.write(self.last_ckpt)
        if outdated is not None and outdated != step:
            path = osp.join(self.out_dir, self.filename_tmpl.format(outdated))
            if osp.isfile(path):
                os.remove(path)
            elif osp.isdir(path):  # deepspeed checkpoints are folders
                shutil.rmtree(path)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        if not self._is_local():
            return super()._save_best_checkpoint(runner, metrics)
        with self._atomic_best_saves(runner):
            super()._save_best_checkpoint(runner, metrics)

    @contextmanager
    def _atomic_best_saves(self, runner):
        """Inside: ``best_*`` saves go through a temporary file and the
        previous best's removal waits until the block ends."""
        backend, deferred = self.file_backend, []
        save = runner.save_checkpoint

        def save_best(out_dir, filename, *args, **kwargs):
            if not filename.startswith('best_'):
                return save(out_dir, filename, *args, **kwargs)
            save(out_dir, filename + TMP_SUFFIX, *args, **kwargs)
            if is_main_process():
                path = osp.join(out_dir, filename)
                os.replace(path + TMP_SUFFIX, path)

        backend.remove = backend.rmtree = deferred.append
        runner.save_checkpoint = save_best
        try:
            yield
        finally:
            del backend.remove, backend.rmtree, runner.save_checkpoint
        current = {
            getattr(self, 'best_ckpt_path', None),
            *getattr(self, 'best_ckpt_path_dict', {}).values()
        }
        for path in deferred:
            if path in current:
                continue
            if osp.isdir(path):
                shutil.rmtree(path)
            elif osp.isfile(path):
                os.remove(path)
