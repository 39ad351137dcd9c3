"""Data, configs and training runs of ``tools/reproduce_mini.py``."""
import copy
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import time

from mmengine.config import Config

from mmssl_addons.utils.atomic_io import atomic_path, dump_json_atomic
from mmssl_addons.utils.config_scaling import reroot, rescale_sizes
from mmssl_addons.utils.schedule_follow import follow_training_length

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_ROOT = 'data/synthetic_cub'


def digest(obj) -> str:
    text = json.dumps(obj, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def prepare_data(data_spec: dict, work_dir: str, log=print) -> str:
    """The synthetic test bed of ``data_spec`` (rendered once, then
    reused: a complete dataset has ``images.txt``)."""
    from mmssl_addons.synthetic import Difficulty, generate_synthetic_cub
    root = osp.join(work_dir, 'data', 'synthetic_' + digest(data_spec))
    if osp.isfile(osp.join(root, 'images.txt')):
        return root
    spec = dict(data_spec)
    log(f'[reproduce] rendering the test bed {root} ({spec})')
    difficulty = Difficulty(
        object_scale=spec.pop('object_scale'),
        clutter=spec.pop('clutter'),
        subtlety=spec.pop('subtlety'))
    generate_synthetic_cub(
        root,
        num_classes=spec['classes'],
        per_class=spec['per_class'],
        size=spec['size'],
        seed=spec['seed'],
        test_fraction=spec['test_fraction'],
        overwrite=osp.isdir(root),
        workers=2,
        difficulty=difficulty,
        controlled_pairs=True)
    return root


def rescale_pipelines(cfg_dict: dict, sizes: dict) -> None:
    """Crop / resize transforms: demo pixel sizes -> miniature sizes (in
    place; a size the config lacks is skipped)."""
    new = rescale_sizes(cfg_dict, sizes, strict=False)
    cfg_dict.clear()
    cfg_dict.update(new)


def point_data_root(cfg_dict: dict, root: str) -> None:
    """Every path under the demo data root -> the same path under root (in
    place)."""
    new = reroot(cfg_dict, DEMO_ROOT, root)
    cfg_dict.clear()
    cfg_dict.update(new)


def drop_hooks(cfg_dict: dict, types=('KNNMonitorHook', )) -> None:
    """The probes run after training; the monitors are not needed."""
    hooks = cfg_dict.get('custom_hooks') or []
    cfg_dict['custom_hooks'] = [h for h in hooks if h.get('type') not in types]


def build_config(config: str,
                 root: str,
                 spec,
                 arm: str,
                 seed: int,
                 epochs: int,
                 variant: dict,
                 base_cfg: Config = None) -> Config:
    """The config of one arm (``'base'`` or ``'addon'``) of one seed;
    the add-on arm needs the built ``base_cfg`` for what it shares."""
    cfg = Config.fromfile(osp.join(REPO, config))
    old_train_cfg = copy.deepcopy(cfg.get('train_cfg'))
    merged = copy.deepcopy(spec.shared)
    extra = dict(variant)
    views = extra.pop('addon_views', spec.addon_views)
    if views not in ('own', 'base', 'global'):
        raise ValueError(f'addon_views must be own, base or global, got '
                         f'{views!r}')
    overrides = [merged]
    if arm == 'addon':
        overrides += [copy.deepcopy(spec.addon_only), extra]
    for over in overrides:
        if over:
            cfg.merge_from_dict(_flatten(over))
    cfg.train_cfg.max_epochs = epochs
    follow_training_length(cfg, old_train_cfg)
    if arm == 'addon' and views == 'base':
        cfg.train_dataloader.dataset.pipeline = copy.deepcopy(
            base_cfg.train_dataloader.dataset.pipeline)
    elif arm == 'addon' and views == 'global':
        keep_global_views(cfg.train_dataloader.dataset.pipeline)
    cfg_dict = cfg.to_dict()
    if arm == 'addon':
        for key in spec.addon_from_base:
            cfg_dict[key] = copy.deepcopy(base_cfg.to_dict()[key])
    rescale_pipelines(cfg_dict, spec.sizes)
    point_data_root(cfg_dict, root)
    drop_hooks(cfg_dict)
    cfg_dict['randomness'] = dict(seed=seed)
    cfg_dict.setdefault('default_hooks', {})
    cfg_dict['default_hooks']['checkpoint'] = dict(
        type='AtomicCheckpointHook', interval=epochs, max_keep_ckpts=1)
    cfg_dict['default_hooks']['logger'] = dict(type='LoggerHook', interval=10)
    return Config(cfg_dict)


def keep_global_views(pipeline: list) -> None:
    """Drop the local crops of a ``MultiView*`` step (``num_views`` as a
    list: the global groups come first, here the first two)."""
    for step in pipeline:
        if str(step.get('type', '')).startswith('MultiView') and isinstance(
                step.get('num_views'), (list, tuple)):
            num = list(step['num_views'])
            if len(num) < 2 or sum(num[:2]) != 2:
                raise ValueError(f'expected two single global views first, '
                                 f'got num_views={num}')
            step['num_views'] = num[:2]
            step['transforms'] = list(step['transforms'])[:2]
            return
    raise ValueError('no MultiView step with a list num_views to trim')


def merged(nested: dict, dotted: dict) -> dict:
    """``nested`` overrides plus ``a.b=value`` ones (a new dict)."""
    out = copy.deepcopy(nested)
    for key, value in dotted.items():
        node = out
        *parents, leaf = key.split('.')
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f'--set {key}: {part} is not a dict')
        node[leaf] = value
    return out


def _flatten(d: dict, prefix: str = '') -> dict:
    """Nested overrides -> ``merge_from_dict`` keys (``a.b.c``)."""
    out = {}
    for key, value in d.items():
        name = f'{prefix}{key}'
        if isinstance(value, dict) and value:
            out.update(_flatten(value, name + '.'))
        else:
            out[name] = value
    return out


def last_checkpoint(work_dir: str):
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        ckpt = f.read().strip()
    return ckpt if osp.isfile(ckpt) else None


def run_dir_of(cfg: Config, parent: str, root: str) -> str:
    """``parent-<config digest>``: a changed config trains in a new folder,
    so no run is ever overwritten. The digest leaves out where the work
    folder (``root``, the test bed) lies."""
    return f'{parent}-{digest(cfg.pretty_text.replace(root, "<data>"))}'


def train(cfg: Config, run_dir: str, device: str, log=print) -> dict:
    """Train one arm with ``tools/train.py`` into ``run_dir``.

    A finished run (``run.json`` and its checkpoint) is reused, an
    interrupted one is resumed from its last checkpoint.
    """
    text = cfg.pretty_text
    record_path = osp.join(run_dir, 'run.json')
    cfg_path = osp.join(run_dir, 'config.py')
    if osp.isfile(record_path):
        with open(record_path) as f:
            record = json.load(f)
        if osp.isfile(record.get('checkpoint', '')):
            log(f'[reproduce] reusing {record["checkpoint"]}')
            return record
    resume = last_checkpoint(run_dir) is not None
    os.makedirs(run_dir, exist_ok=True)
    with atomic_path(cfg_path) as tmp:
        with open(tmp, 'w') as f:
            f.write(text)
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), cfg_path, '--work-dir', run_dir
    ] + (['--resume'] if resume else [])
    env = dict(os.environ)
    if device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    log('[reproduce] ' + ' '.join(cmd))
    start = time.time()
    with open(osp.join(run_dir, 'train.log'), 'a') as out:
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.time() - start
    if proc.returncode != 0:
        raise RuntimeError(f'training failed (exit {proc.returncode}); see '
                           f'{osp.join(run_dir, "train.log")}')
    ckpt = last_checkpoint(run_dir)
    if ckpt is None:
        raise RuntimeError(f'training wrote no checkpoint in {run_dir}')
    record = dict(
        config_digest=digest(text),
        checkpoint=ckpt,
        train_s=round(seconds, 1),
        command=' '.join(cmd))
    dump_json_atomic(record, record_path)
    return record
