"""Turn ``tools/train.py``/``tools/test.py`` arguments into a runner config.

Mirrors mmpretrain's tools so users get the flags they know, and adds what
our checkpoints need: :class:`SafeCheckpointHook` is always registered so
every checkpoint written loads with ``torch.load(weights_only=True)``, and
mmengine's ``CheckpointHook`` is replaced by :class:`AtomicCheckpointHook`
so that a kill during a save never loses the last complete checkpoint.
"""
import argparse
import copy
import logging
import os
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.config import Config, DictAction

from .checkpoint_check import check_checkpoint, find_resume_checkpoint
from .hook_args import check_hook_args
from .schedule_follow import follow_training_length

SAFE_HOOK = 'SafeCheckpointHook'
ATOMIC_HOOK = 'AtomicCheckpointHook'


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


def _ensure_safe_checkpoint_hook(cfg: Config) -> None:
    """Add :class:`SafeCheckpointHook` unless the config has it.

    The hook lives in mmpretrain's HOOKS registry. Under another default
    scope (mmdet, mmseg, mmpose configs) an unscoped ``'SafeCheckpointHook'``
    would not be found there, so it is referenced (and a config's own entry
    rewritten) as ``'mmpretrain.SafeCheckpointHook'``.
    """
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    name = SAFE_HOOK if scope == 'mmpretrain' else f'mmpretrain.{SAFE_HOOK}'
    hooks, found = [], False
    for hook in list(cfg.get('custom_hooks', None) or []):
        if hook.get('type') in (SAFE_HOOK, f'mmpretrain.{SAFE_HOOK}'):
            hook = dict(hook, type=name)
            found = True
        hooks.append(hook)
    if not found:
        hooks.append(dict(type=name))
    cfg.custom_hooks = hooks


def _scoped(cfg: Config, name: str) -> str:
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    return name if scope == 'mmpretrain' else f'mmpretrain.{name}'


def _ensure_atomic_checkpoint_hook(cfg: Config) -> None:
    """Use :class:`AtomicCheckpointHook` for mmengine's ``CheckpointHook``.

    A missing ``checkpoint`` entry gets the Runner's default
    (``interval=1``); ``None`` (no checkpoints) and other hook types are
    left alone.
    """
    if cfg.get('default_hooks', None) is None:
        cfg.default_hooks = dict()
    hooks = cfg.default_hooks
    if 'checkpoint' not in hooks:
        hooks['checkpoint'] = dict(type='CheckpointHook', interval=1)
    hook = hooks['checkpoint']
    if isinstance(hook, dict) and hook.get(
            'type',
            'CheckpointHook') in ('CheckpointHook', 'mmengine.CheckpointHook'):
        hooks['checkpoint'] = dict(hook, type=_scoped(cfg, ATOMIC_HOOK))


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
            cfg.resume = False
            cfg.load_from = None
            return
        resume = found
        notes.append((logging.INFO, f'--resume: continuing from {found}'))
    elif not osp.isfile(resume):
        raise FileNotFoundError(
            f'--resume checkpoint not found: {resume}; pass an '
            'existing .pth or plain --resume for the latest one in '
            'the work directory.')
    check_checkpoint(resume, training_state=True)
    cfg.resume = True
    cfg.load_from = resume


def _replace_checkpoint(node, old: str, new: str):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ('checkpoint', 'pretrained') and value == old:
                node[key] = new
            else:
                _replace_checkpoint(value, old, new)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _replace_checkpoint(value, old, new)


def _propagate_pretrained(cfg: Config, old) -> None:
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
        _replace_checkpoint(cfg.model, old, new)


def _ensure_custom_import(cfg: Config) -> None:
    imports = cfg.get('custom_imports', None) or dict(imports=[])
    names = list(imports.get('imports', []))
    if 'mmssl_addons' not in names:
        names.append('mmssl_addons')
    cfg.custom_imports = dict(imports=names, allow_failed_imports=False)


def _setup_cpu_distributed(cfg: Config) -> None:
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
        dist_cfg['backend'] = 'gloo'
    cfg.env_cfg = dict(env_cfg, dist_cfg=dist_cfg)
    if cfg.get('model_wrapper_cfg', None) is None:
        # CPU DDP; SyncBN layers become BatchNorm (SyncBatchNorm needs CUDA)
        cfg.model_wrapper_cfg = dict(
            type='CPUDistributedDataParallel', device_ids=None)
    if cfg.launcher == 'pytorch' and not torch_dist.is_initialized():
        init_cfg = dict(dist_cfg)
        torch_dist.init_process_group(
            backend=init_cfg.pop('backend'), **init_cfg)


def _enable_amp(cfg: Config) -> None:
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
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')


def prepare_runner_config(
        cfg: Config,
        args,
        for_training: bool,
        notes: Optional[List[Tuple[int, str]]] = None) -> Config:
    """Apply command-line arguments to ``cfg`` (in place) and return it.

    Call it right before building the Runner: without CUDA and with a
    launcher it also joins the process group (see
    :func:`_setup_cpu_distributed`).

    Args:
        cfg (Config): the loaded config.
        args (Namespace): parsed arguments with ``launcher``,
            ``cfg_options``, ``work_dir`` and, for training, ``resume``,
            ``amp``, ``auto_scale_lr``, ``no_validate``.
        for_training (bool): training or testing.
        notes (list, optional): receives ``(logging level, message)``
            pairs for the run's log (schedules that followed a changed
            ``max_epochs``, what ``--resume`` found).

    Raises:
        ValueError: an unknown hook argument, or a ``--resume`` checkpoint
            that is truncated, foreign or holds no training state.
    """
    notes = [] if notes is None else notes
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        old_pretrained = cfg.get('pretrained', None)
        old_train_cfg = copy.deepcopy(cfg.get('train_cfg', None))
        cfg.merge_from_dict(args.cfg_options)
        _propagate_pretrained(cfg, old_pretrained)
        for note in follow_training_length(cfg, old_train_cfg):
            notes.append((logging.INFO, note))
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(cfg.filename))[0])
    _ensure_custom_import(cfg)
    _ensure_safe_checkpoint_hook(cfg)
    if for_training:
        _ensure_atomic_checkpoint_hook(cfg)
    check_hook_args(cfg)
    _setup_cpu_distributed(cfg)
    if not for_training:
        return cfg
    if args.amp:
        _enable_amp(cfg)
    if args.resume is not None:
        _resolve_resume(cfg, args.resume, notes)
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', dict(base_batch_size=256))
        cfg.auto_scale_lr.enable = True
    if getattr(args, 'no_validate', False):
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    return cfg
