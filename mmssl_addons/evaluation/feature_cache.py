"""Extract frozen features once and cache them next to the checkpoint.

Every analysis tool (``tools/analysis/*.py``) asks :func:`load_or_extract`
for the ``(N, C)`` features and labels of a split; the first call runs the
model over the split's test-time pipeline (with a progress bar) and writes
``<ckpt dir>/features/<ckpt name>.<split>.<feature>.<key>.npz`` atomically,
later calls read that file. ``key`` hashes the checkpoint's content
(SHA-256), the model and dataset settings of the config (with ``data_root``
made absolute, pipeline included), the dataset's samples (absolute image
paths, sizes, modification times, labels), the split and the feature kind.
The key is also stored in the file and compared on every read, so neither
the default cache nor an ``out`` path given by the caller ever returns
features of another checkpoint, data or config: such a file is re-extracted.

Feature kinds:

- ``'auto'``: ``model.extract_pooled_feat`` when the model has it (our SSL
  algorithms: the test-time pooling, e.g. LCR's attention pooling), else
  the last output of ``model.extract_feat`` (an ``ImageClassifier``'s neck
  output), global-average-pooled if it is a map;
- ``'backbone_gap'``: global average of the last backbone stage (the input
  of a linear head for CAMs).

Results of the tools are written by :func:`write_results` as
``<ckpt dir>/<ckpt name>.<protocol>.json``.
"""
import copy
import hashlib
import json
import os
import os.path as osp
from functools import partial
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate

from ..utils import atomic_path, dump_json_atomic
from .inference import run_over_loader
from .pooling import pool_features

FEATURE_KINDS = ('auto', 'backbone_gap')
#: Part of the cache key: bump it when extraction changes, so that older
#: caches are not reused (2: the config's data_preprocessor is applied;
#: 3: content hash, sample list, key stored in the file).
CACHE_VERSION = 3
SPLITS = ('train', 'val', 'test')


def split_dataset_cfg(cfg: Config, split: str) -> dict:
    """Dataset config of ``split`` with the test-time pipeline.

    ``test`` is ``test_dataloader.dataset``, ``val`` is
    ``val_dataloader.dataset`` (falling back to test); ``train`` is the
    test dataset config with ``split='train'`` (datasets taking a
    ``split`` argument, e.g. CUB, Cars, Aircraft) so that training images
    get the deterministic test pipeline rather than the SSL augmentations.
    """
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}.')
    test = cfg.get('test_dataloader')
    if test is None or 'dataset' not in test:
        raise ValueError('the config has no test_dataloader.dataset; '
                         'feature extraction uses its pipeline.')
    ds = copy.deepcopy(test['dataset'])
    if split == 'val':
        val = cfg.get('val_dataloader')
        if val is not None and 'dataset' in val:
            ds = copy.deepcopy(val['dataset'])
    elif split == 'train':
        if 'split' not in ds:
            raise ValueError(
                f'{ds.get("type")} in test_dataloader has no `split` '
                'argument, so the train split cannot be derived; pass '
                "--cfg-options test_dataloader.dataset.ann_file=... (the "
                'train annotations) with --split test instead.')
        ds['split'] = 'train'
        # a subset of the labels is a training choice, not a feature one
        ds.pop('label_fraction', None)
    return ds


_DIGESTS: Dict[tuple, str] = {}


def checkpoint_digest(path: str) -> str:
    """SHA-256 of the file's content (memoised per path, size and mtime)."""
    st = os.stat(path)
    memo = (osp.abspath(path), st.st_size, st.st_mtime_ns)
    if memo not in _DIGESTS:
        sha = hashlib.sha256()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 22), b''):
                sha.update(block)
        _DIGESTS[memo] = sha.hexdigest()
    return _DIGESTS[memo]


def _sample_id(info: dict) -> list:
    path = info.get('img_path', None)
    label = info.get('gt_label', None)
    label = label.tolist() if hasattr(label, 'tolist') else label
    if isinstance(path, str) and path:
        path = osp.abspath(path)
        try:
            st = os.stat(path)
            return [path, st.st_size, st.st_mtime_ns, label]
        except OSError:
            return [path, None, None, label]
    return [json.dumps(info, sort_keys=True, default=str)]


def dataset_digest(dataset) -> str:
    """Hash of the samples: absolute path, size, mtime and label of each
    (one ``stat`` per image)."""
    sha = hashlib.sha1()
    for i in range(len(dataset)):
        sample = _sample_id(dataset.get_data_info(i))
        sha.update(json.dumps(sample, default=str).encode())
        sha.update(b'\n')
    return sha.hexdigest()


def _absolute_roots(ds_cfg):
    """``ds_cfg`` with every ``data_root`` made absolute (relative roots
    name different data in different working directories)."""
    if isinstance(ds_cfg, dict):
        out = {}
        for key, value in ds_cfg.items():
            if key == 'data_root' and isinstance(value, str) and value \
                    and '://' not in value:
                value = osp.abspath(value)
            out[key] = _absolute_roots(value)
        return out
    if isinstance(ds_cfg, (list, tuple)):
        return [_absolute_roots(v) for v in ds_cfg]
    return ds_cfg


def build_split_dataset(cfg: Config, split: str):
    from mmpretrain.registry import DATASETS
    return DATASETS.build(split_dataset_cfg(cfg, split))


def cache_key(cfg: Config,
              checkpoint: str,
              split: str,
              feature: str,
              dataset=None) -> str:
    """Hash of checkpoint content, model + dataset settings, samples,
    split and feature kind (``dataset`` is built when not given)."""
    ds = split_dataset_cfg(cfg, split)
    if dataset is None:
        dataset = build_split_dataset(cfg, split)
    blob = json.dumps(
        dict(
            version=CACHE_VERSION,
            ckpt=checkpoint_digest(checkpoint),
            model=cfg.get('model'),
            dataset=_absolute_roots(ds),
            samples=dataset_digest(dataset),
            preprocessor=cfg.get('data_preprocessor'),
            split=split,
            feature=feature),
        sort_keys=True,
        default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def cache_path(cfg: Config,
               checkpoint: str,
               split: str,
               feature: str,
               dataset=None,
               key: Optional[str] = None) -> str:
    stem = osp.splitext(osp.basename(checkpoint))[0]
    key = key or cache_key(cfg, checkpoint, split, feature, dataset)
    return osp.join(
        osp.dirname(osp.abspath(checkpoint)), 'features',
        f'{stem}.{split}.{feature}.{key}.npz')


def results_path(checkpoint: str, protocol: str) -> str:
    """``<ckpt dir>/<ckpt name>.<protocol>.json``."""
    stem = osp.splitext(osp.basename(checkpoint))[0]
    return osp.join(
        osp.dirname(osp.abspath(checkpoint)), f'{stem}.{protocol}.json')


def write_results(results: dict,
                  checkpoint: str,
                  protocol: str,
                  out: Optional[str] = None,
                  **meta) -> str:
    """Write ``results`` (plus ``meta``) as JSON next to the checkpoint (or
    to ``out``), atomically; return the path."""
    path = out or results_path(checkpoint, protocol)
    payload = dict(protocol=protocol, checkpoint=osp.abspath(checkpoint))
    payload.update(meta)
    payload['results'] = results
    dump_json_atomic(payload, path)
    return path


def model_feature_fn(model, feature: str):
    """``inputs (N, 3, H, W) -> (N, C)`` for a feature kind."""
    if feature not in FEATURE_KINDS:
        raise ValueError(f'feature must be one of {FEATURE_KINDS}, got '
                         f'{feature!r}.')
    if feature == 'backbone_gap':
        return lambda x: pool_features(model.backbone(x)[-1])
    if hasattr(model, 'extract_pooled_feat'):
        return model.extract_pooled_feat
    return lambda x: pool_features(model.extract_feat(x))


def _label(sample) -> int:
    label = sample.get('gt_label', None)
    return int(label.item()) if label is not None and label.numel() == 1 \
        else -1


def extract_features(model,
                     dataset,
                     feature: str = 'auto',
                     batch_size: int = 64,
                     progress: bool = True,
                     num_workers: int = 0) -> Dict[str, np.ndarray]:
    """Run ``model`` (in eval mode) over ``dataset`` in order.

    The test pipeline must give one view per image
    (:func:`~mmssl_addons.evaluation.inference.run_over_loader` with
    ``view=None``).

    Returns:
        dict: ``features`` ``(N, C)`` float32, ``labels`` ``(N,)`` int64
        (-1 where a sample has no label), ``img_paths`` ``(N,)`` str.
    """
    from torch.utils.data import DataLoader
    from tqdm import tqdm
    if len(dataset) == 0:
        raise ValueError('the dataset is empty.')
    feature_fn = model_feature_fn(model, feature)

    def features(model, inputs, data_samples):
        out = feature_fn(inputs).float().cpu()
        if out.dim() != 2:
            raise ValueError(f'features must be (N, C), got '
                             f'{tuple(out.shape)}.')
        return zip(out, [_label(sample) for sample in data_samples])

    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=default_collate)
    bar = partial(
        tqdm, desc='extracting features', unit='batch', disable=not progress)
    results = run_over_loader(
        model, loader, features, view=None, gather=None, progress=bar)
    feats, labels = zip(*results)
    paths = [
        str(dataset.get_data_info(i).get('img_path', ''))
        for i in range(len(dataset))
    ]
    return dict(
        features=torch.stack(feats).numpy().astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        img_paths=np.asarray(paths))


def save_features_npz(data: Dict[str, np.ndarray], path: str) -> None:
    """``np.savez`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.savez(f, **data)


def load_features_npz(path: str) -> Dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def load_or_extract(cfg: Config,
                    checkpoint: str,
                    split: str = 'test',
                    feature: str = 'auto',
                    batch_size: int = 64,
                    refresh: bool = False,
                    out: Optional[str] = None,
                    model=None,
                    progress: bool = True,
                    num_workers: int = 0,
                    device: str = 'cpu') -> Dict[str, np.ndarray]:
    """Cached features of ``split`` (see the module docstring).

    Args:
        cfg (Config): Loaded with :func:`mmssl_addons.utils.load_config`.
        checkpoint (str): Checkpoint path.
        out (str, optional): Cache file to use instead of the default.
        model (nn.Module, optional): Already built model (skips building).

    Returns:
        dict: ``features``, ``labels``, ``img_paths`` (see
        :func:`extract_features`), plus ``cache`` (the file path) and
        ``classes`` (class names, may be empty).
    """
    from ..utils import init_model
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    dataset = build_split_dataset(cfg, split)
    key = cache_key(cfg, checkpoint, split, feature, dataset)
    path = out or cache_path(cfg, checkpoint, split, feature, key=key)
    data = None
    if osp.isfile(path) and not refresh:
        data = load_features_npz(path)
        stored = data.pop('cache_key', None)
        if stored is None or str(stored) != key:
            print(f'{path} holds features of another checkpoint, data or '
                  'config; extracting them again.')
            data = None
    if data is None:
        if model is None:
            model = init_model(cfg, checkpoint, device)
        data = extract_features(model, dataset, feature, batch_size, progress,
                                num_workers)
        classes = dataset.metainfo.get('classes') or []
        data['classes'] = np.asarray([str(c) for c in classes])
        save_features_npz(dict(data, cache_key=np.asarray(key)), path)
    data['cache'] = path
    return data


def features_from_args(args,
                       split: Optional[str] = None,
                       cfg: Optional[Config] = None,
                       model=None,
                       out: Optional[str] = None) -> Dict[str, np.ndarray]:
    """:func:`load_or_extract` driven by the analysis tools' feature args
    (``tools/analysis/feature_args.py``)."""
    from ..utils import load_config
    if cfg is None:
        cfg = load_config(args.config, args.cfg_options)
    return load_or_extract(
        cfg,
        args.checkpoint,
        split or args.split,
        args.feature,
        args.batch_size,
        args.refresh,
        out=out,
        model=model,
        num_workers=args.num_workers,
        device=args.device)


def labelled(data: Dict[str, np.ndarray], what: str):
    """``(features, labels)`` after checking every sample has a label."""
    if (data['labels'] < 0).any():
        raise ValueError(f'{what} needs labelled samples; '
                         f'{int((data["labels"] < 0).sum())} have none.')
    return data['features'], data['labels']
