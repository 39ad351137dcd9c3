"""Build a model and a dataset from a config for the analysis tools."""
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config, apply ``--cfg-options`` and register our modules."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file not found: {config}')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    import mmssl_addons  # noqa: F401  (registers everything)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return cfg


def init_model(cfg: Config,
               checkpoint: str,
               device: str = 'cpu') -> torch.nn.Module:
    """Build ``cfg.model``, load ``checkpoint`` (``weights_only=True``).

    A truncated or unsafe checkpoint raises
    :class:`~mmssl_addons.utils.checkpoint_check.CheckpointError` naming the
    file and the way out. A top-level ``data_preprocessor`` of the config
    is given to the model when the model config has none, exactly as
    mmengine's ``Runner`` does (otherwise images would not be normalised as
    in training / testing).
    """
    import copy

    from mmpretrain.registry import MODELS

    from .checkpoint_check import check_checkpoint
    check_checkpoint(checkpoint)  # cut-off or foreign files: a clear error
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor',
                             copy.deepcopy(cfg.data_preprocessor))
    model = MODELS.build(model_cfg)
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def build_test_dataset(cfg: Config, split_key: str = 'test_dataloader'):
    """The dataset of ``cfg[split_key]`` (with its pipeline)."""
    from mmpretrain.registry import DATASETS
    if cfg.get(split_key) is None:
        raise ValueError(f'config has no {split_key}.')
    return DATASETS.build(cfg[split_key].dataset)
