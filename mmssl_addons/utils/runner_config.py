"""Turn ``tools/train.py``/``tools/test.py`` arguments into a runner config.

Mirrors mmpretrain's tools so users get the flags they know. What our
checkpoints need is declared by our configs (``configs/_base_/
default_runtime.py``) and added to other configs (:mod:`.runner_defaults`).
Every key set or changed here is one line of the run's log.
"""
import argparse
import copy
import logging
import os
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from .checkpoint_check import check_checkpoint, find_resume_checkpoint
from .hook_args import check_hook_args
from .runner_defaults import (PREFIX, ensure_atomic_checkpoint_hook,
                              ensure_custom_import,
                              ensure_safe_checkpoint_hook, note)
from .schedule_follow import follow_training_length

_MISSING = object()


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value (xxx=yyy format)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, and export ``LOCAL_RANK`` as mmpretrain's tools do."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def _set(cfg: Config, key: str, value, why: str, notes: list) -> None:
    """``cfg[key] = value``, noted when that adds or changes the key."""
    old = cfg.get(key, _MISSING)
    if old is _MISSING or old != value:
        note(notes, key, value, why, None if old is _MISSING else old)
    cfg[key] = value


def _resolve_resume(cfg: Config, resume: str, notes: list) -> None:
    """Set ``cfg.resume`` / ``cfg.load_from`` for ``--resume [CKPT]``.

    Without a path the checkpoint is looked up here (see
    :func:`find_resume_checkpoint`: a copied work dir resumes from its own
    files) instead of by mmengine; finding none is a warning naming the
    work dir, and training starts from scratch. The chosen file must load
    safely and hold a training state.
    """
    if resume == 'auto':
        found = find_resume_checkpoint(cfg.work_dir)
        if found is None:
            notes.append((logging.WARNING,
                          f'--resume found no checkpoint in the work dir '
                          f'{osp.abspath(cfg.work_dir)} (no last_checkpoint '
                          'file, no epoch_*.pth / iter_*.pth): training '
                          'starts from scratch.'))
            _set(cfg, 'resume', False, '--resume found nothing', notes)
            _set(cfg, 'load_from', None, '--resume found nothing', notes)
            return
        resume = found
        notes.append((logging.INFO, f'--resume: continuing from {found}'))
    elif not osp.isfile(resume):
        raise FileNotFoundError(
            f'--resume checkpoint not found: {resume}; pass an '
            'existing .pth or plain --resume for the latest one in '
            'the work directory.')
    check_checkpoint(resume, training_state=True)
    _set(cfg, 'resume', True, '--resume', notes)
    _set(cfg, 'load_from', resume, '--resume', notes)


def _replace_checkpoint(node, old: str, new: str, path: str, found: list):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ('checkpoint', 'pretrained') and value == old:
                node[key] = new
                found.append(f'{path}.{key}')
            else:
                _replace_checkpoint(value, old, new, f'{path}.{key}', found)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            _replace_checkpoint(value, old, new, f'{path}[{i}]', found)


def _propagate_pretrained(cfg: Config, old, notes: list) -> None:
    """Make ``--cfg-options pretrained=PATH`` reach the model.

    The benchmark configs name the backbone checkpoint once, in a top-level
    ``pretrained`` variable, and use it in ``init_cfg=dict(type=
    'Pretrained', checkpoint=pretrained)`` (and in a C4 head's
    ``pretrained``). mmengine substitutes the variable when the file is
    read, so overriding it afterwards would change nothing: every
    ``checkpoint`` / ``pretrained`` value in ``cfg.model`` that equals the
    old value is replaced by the new one.
    """
    new = cfg.get('pretrained', None)
    if not isinstance(old, str) or not isinstance(new, str) or old == new:
        return
    if 'model' in cfg:
        found = []
        _replace_checkpoint(cfg.model, old, new, 'model', found)
        for key in found:
            note(notes, key, new, 'follows --cfg-options pretrained', old)


def _setup_cpu_distributed(cfg: Config, notes: list) -> None:
    """Let ``dist_train.sh``/``dist_test.sh`` run on machines without CUDA.

    mmpretrain's runtime asks for NCCL, mmengine wraps the model in DDP with
    ``device_ids=[LOCAL_RANK]`` and its ``init_dist`` calls
    ``torch.cuda.set_device`` even for gloo; all need GPUs. Without CUDA we
    switch to gloo and CPU DDP (``device_ids=None``) unless the config
    chose, and join the torchrun process group here (the Runner skips its
    own init when a group exists).
    """
    import torch
    import torch.distributed as torch_dist
    if cfg.launcher == 'none' or torch.cuda.is_available():
        return
    env_cfg = cfg.get('env_cfg', None) or {}
    dist_cfg = dict(env_cfg.get('dist_cfg', None) or {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        note(notes, 'env_cfg.dist_cfg.backend', 'gloo', 'no CUDA',
             dist_cfg.get('backend', 'nccl'))
        dist_cfg['backend'] = 'gloo'
    cfg.env_cfg = dict(env_cfg, dist_cfg=dist_cfg)
    if cfg.get('model_wrapper_cfg', None) is None:
        # CPU DDP; SyncBN layers become BatchNorm (SyncBatchNorm needs CUDA)
        _set(cfg, 'model_wrapper_cfg',
             dict(type='CPUDistributedDataParallel', device_ids=None),
             'DDP on CPU (no CUDA)', notes)
    if cfg.launcher == 'pytorch' and not torch_dist.is_initialized():
        init_cfg = dict(dist_cfg)
        torch_dist.init_process_group(
            backend=init_cfg.pop('backend'), **init_cfg)


def _enable_amp(cfg: Config, notes: list) -> None:
    import torch
    if not torch.cuda.is_available():
        raise RuntimeError(
            '--amp needs a CUDA GPU: mmengine\'s AmpOptimWrapper refuses to '
            'train on CPU. Run without --amp on this machine.')
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper == 'AmpOptimWrapper':
        return
    if wrapper != 'OptimWrapper':
        raise ValueError(
            f'--amp works with optim_wrapper type OptimWrapper, but the '
            f'config uses {wrapper}; set AmpOptimWrapper in the config.')
    note(notes, 'optim_wrapper.type', 'AmpOptimWrapper', '--amp', wrapper)
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    if 'loss_scale' not in cfg.optim_wrapper:
        note(notes, 'optim_wrapper.loss_scale', 'dynamic', '--amp')
        cfg.optim_wrapper.loss_scale = 'dynamic'


def prepare_runner_config(
        cfg: Config,
        args,
        for_training: bool,
        notes: Optional[List[Tuple[int, str]]] = None) -> Config:
    """Apply command-line arguments to ``cfg`` (in place) and return it.

    Call it right before building the Runner: without CUDA and with a
    launcher it also joins the process group (see
    :func:`_setup_cpu_distributed`). Each key it adds or changes is one log
    line.

    Args:
        cfg (Config): the loaded config.
        args (Namespace): parsed arguments with ``launcher``,
            ``cfg_options``, ``work_dir`` and, for training, ``resume``,
            ``amp``, ``auto_scale_lr``, ``no_validate``.
        for_training (bool): training or testing.
        notes (list, optional): receives the ``(logging level, message)``
            lines for the run's log (the tools log them once the Runner
            exists); without it they go to mmengine's current logger.

    Raises:
        ValueError: an unknown hook argument, or a ``--resume`` checkpoint
            that is truncated, foreign or holds no training state.
    """
    own_notes = notes is None
    notes = [] if own_notes else notes
    _set(cfg, 'launcher', args.launcher, '--launcher', notes)
    if args.cfg_options is not None:
        old_pretrained = cfg.get('pretrained', None)
        old_train_cfg = copy.deepcopy(cfg.get('train_cfg', None))
        cfg.merge_from_dict(args.cfg_options)
        for key, value in args.cfg_options.items():
            note(notes, key, value, '--cfg-options')
        _propagate_pretrained(cfg, old_pretrained, notes)
        for line in follow_training_length(cfg, old_train_cfg):
            notes.append((logging.INFO, PREFIX + line))
    if args.work_dir is not None:
        _set(cfg, 'work_dir', args.work_dir, '--work-dir', notes)
    elif cfg.get('work_dir', None) is None:
        name = osp.splitext(osp.basename(cfg.filename))[0]
        _set(cfg, 'work_dir', osp.join('./work_dirs', name),
             'default for the config', notes)
    ensure_custom_import(cfg, notes)
    ensure_safe_checkpoint_hook(cfg, notes)
    if for_training:
        ensure_atomic_checkpoint_hook(cfg, notes)
    check_hook_args(cfg)
    _setup_cpu_distributed(cfg, notes)
    if for_training:
        _training_args(cfg, args, notes)
    if own_notes:
        for level, message in notes:
            print_log(message, logger='current', level=level)
    return cfg


def _training_args(cfg: Config, args, notes: list) -> None:
    """``--amp``, ``--resume``, ``--auto-scale-lr``, ``--no-validate``."""
    if args.amp:
        _enable_amp(cfg, notes)
    if args.resume is not None:
        _resolve_resume(cfg, args.resume, notes)
    if args.auto_scale_lr:
        if cfg.get('auto_scale_lr', None) is None:
            _set(cfg, 'auto_scale_lr', dict(base_batch_size=256),
                 '--auto-scale-lr', notes)
        if not cfg.auto_scale_lr.get('enable', False):
            note(notes, 'auto_scale_lr.enable', True, '--auto-scale-lr')
        cfg.auto_scale_lr.enable = True
    if getattr(args, 'no_validate', False):
        for key in ('val_cfg', 'val_dataloader', 'val_evaluator'):
            _set(cfg, key, None, '--no-validate', notes)
