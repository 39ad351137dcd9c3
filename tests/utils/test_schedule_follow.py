"""Schedules follow an overridden training length, warm-ups included."""
from mmengine.config import Config

from mmssl_addons.utils.schedule_follow import follow_training_length


def test_scheduler_that_begins_after_the_new_end_is_kept():
    cfg = Config(
        dict(
            train_cfg=dict(max_epochs=2),
            param_scheduler=[
                dict(type='LinearLR', begin=0, end=4, start_factor=0.1),
                dict(type='CosineAnnealingLR', begin=4, end=30, T_max=26)
            ]))
    notes = follow_training_length(cfg, dict(max_epochs=30))
    cosine = cfg.param_scheduler[1]
    assert (cosine.begin, cosine.end, cosine.T_max) == (4, 30, 26)
    assert cfg.param_scheduler[0].end == 4
    assert any('kept' in n for n in notes)
    # a longer run still moves both
    cfg.train_cfg.max_epochs = 10
    follow_training_length(cfg, dict(max_epochs=30))
    assert (cosine.end, cosine.T_max) == (10, 6)
