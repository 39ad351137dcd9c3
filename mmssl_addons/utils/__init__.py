from .atomic_io import atomic_path, dump_json_atomic
from .runner_config import prepare_runner_config

__all__ = ['atomic_path', 'dump_json_atomic', 'prepare_runner_config']
