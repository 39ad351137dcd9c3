"""prepare_runner_config logs every key it adds or changes, one line each."""
import logging

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmssl_addons.utils import prepare_runner_config


def _keys(notes):
    prefix = 'prepare_runner_config: '
    assert all(msg.startswith(prefix) for _, msg in notes)
    return [msg[len(prefix):].split(' = ')[0] for _, msg in notes]


def test_each_added_or_changed_key_is_one_line(train_args):
    cfg = Config(
        dict(
            default_scope='mmseg',
            custom_imports=dict(imports=['other'], allow_failed_imports=True),
            custom_hooks=[dict(type='SafeCheckpointHook')],
            default_hooks=dict(checkpoint=dict(type='CheckpointHook')),
            val_cfg=dict()))
    notes = []
    prepare_runner_config(
        cfg,
        train_args(cfg_options={'train_cfg.max_epochs': 2}, no_validate=True),
        True, notes)
    assert _keys(notes) == [
        'launcher', 'train_cfg.max_epochs', 'work_dir', 'custom_imports',
        'custom_hooks[0].type', 'default_hooks.checkpoint.type', 'val_cfg',
        'val_dataloader', 'val_evaluator'
    ]
    lines = dict(zip(_keys(notes), (m for _, m in notes)))
    assert "'mmpretrain.AtomicCheckpointHook' (was 'CheckpointHook')" in \
        lines['default_hooks.checkpoint.type']
    assert "['other', 'mmssl_addons']" in lines['custom_imports']
    assert cfg.custom_imports.imports == ['other', 'mmssl_addons']
    assert all(level == logging.INFO for level, _ in notes)


def test_nothing_logged_for_what_the_config_declares(train_args):
    cfg = Config(
        dict(
            launcher='none',
            work_dir='/tmp/unused',
            custom_imports=dict(
                imports=['mmssl_addons'], allow_failed_imports=False),
            custom_hooks=[dict(type='SafeCheckpointHook')],
            default_hooks=dict(
                checkpoint=dict(type='AtomicCheckpointHook', interval=1))))
    notes = []
    prepare_runner_config(cfg, train_args(), True, notes)
    assert notes == []


def test_added_hook_and_missing_checkpoint_entry(train_args):
    notes = []
    prepare_runner_config(Config(dict()), train_args(), True, notes)
    keys = _keys(notes)
    assert 'custom_hooks[0]' in keys
    assert 'default_hooks.checkpoint.type' in keys
    assert len(keys) == len(set(keys))


class _Capture(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def current_logger():
    logger = MMLogger.get_instance(
        'test_runner_config_log', logger_name='test_runner_config_log')
    handler = _Capture()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_without_notes_the_lines_go_to_the_current_logger(
        current_logger, train_args):
    assert MMLogger.get_current_instance().instance_name == \
        'test_runner_config_log'
    prepare_runner_config(Config(dict()), train_args(work_dir='/tmp/w'), False)
    assert 'prepare_runner_config: work_dir = ' \
        "'/tmp/w'  # --work-dir" in current_logger.messages
    assert any(
        m.startswith('prepare_runner_config: custom_hooks[0] = ')
        for m in current_logger.messages)
