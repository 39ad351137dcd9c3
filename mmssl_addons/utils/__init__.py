from .atomic_io import atomic_path, dump_json_atomic
from .compat import patch_mmcv_adjust_hue
from .model_loading import build_test_dataset, init_model, load_config
from .runner_config import (add_runner_args, parse_runner_args,
                            prepare_runner_config)

__all__ = [
    'add_runner_args', 'parse_runner_args', 'atomic_path',
    'build_test_dataset', 'dump_json_atomic', 'init_model', 'load_config',
    'patch_mmcv_adjust_hue', 'prepare_runner_config'
]
from .backbone_checkpoint import (backbone_checkpoint, backbone_kind,
                                  extract_backbone_state, load_state_dict,
                                  save_checkpoint_atomic)

__all__ += [
    'backbone_checkpoint', 'backbone_kind', 'extract_backbone_state',
    'load_state_dict', 'save_checkpoint_atomic'
]
