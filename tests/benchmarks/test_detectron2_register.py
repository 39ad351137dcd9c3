"""benchmarks/detectron2: --register-coco / --register-voc on our synthetic
COCO / VOC exports, RLE -> INPUT.MASK_FORMAT bitmask, and (when detectron2
is installed) a real R50-C4 Mask R-CNN fine-tune of a few iterations."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

D2 = 'benchmarks/detectron2'


@pytest.fixture(scope='module')
def reg(repo_root):
    spec = importlib.util.spec_from_file_location(
        'd2_register_datasets', osp.join(repo_root, D2,
                                         'register_datasets.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # must not need detectron2
    return module


@pytest.fixture(scope='module')
def exports(tiny_cub, tmp_path_factory):
    from mmssl_addons.synthetic.export import export_synthetic
    root = tmp_path_factory.mktemp('d2_exports')
    rle = str(root / 'rle')
    poly = str(root / 'poly')
    export_synthetic(tiny_cub, rle, formats=('coco', 'voc'))
    export_synthetic(
        tiny_cub,
        poly,
        formats=('coco', ),
        fine_grained=True,
        mask_format='polygon')
    return rle, poly


def need_detectron2():
    """Skip unless the real detectron2 imports (not a same-named folder)."""
    try:
        import detectron2.data  # noqa: F401
    except ImportError:
        pytest.skip('detectron2 is not installed '
                    '(optional, built from source: docs/detectron2.md)')


def test_coco_summary_detects_rle(reg, exports):
    rle, poly = exports
    assert reg.coco_summary(
        osp.join(rle, 'coco/annotations/instances_train.json')) == (1, True)
    assert reg.coco_summary(
        osp.join(poly, 'coco/annotations/instances_train.json')) == (4, False)


def test_overrides_only_where_the_command_line_is_silent(reg):
    summaries = {
        'a': dict(num_classes=1, rle=True),
        'b': dict(num_classes=1, rle=False)
    }
    extra = reg.config_overrides(summaries, ('a', ), [])
    assert extra[:2] == ['INPUT.MASK_FORMAT', 'bitmask']
    assert 'MODEL.ROI_HEADS.NUM_CLASSES' in extra
    assert reg.config_overrides(summaries, ('b', ), []) == [
        'MODEL.ROI_HEADS.NUM_CLASSES', '1', 'MODEL.RETINANET.NUM_CLASSES', '1'
    ]
    given = [
        'INPUT.MASK_FORMAT', 'polygon', 'MODEL.ROI_HEADS.NUM_CLASSES', '3'
    ]
    assert reg.config_overrides(summaries, ('a', ),
                                given) == ['MODEL.RETINANET.NUM_CLASSES', '1']
    # a built-in training set next to ours: the class count is not ours
    assert reg.config_overrides(summaries, ('b', 'coco_2017_train'), []) == []


def test_voc_classes_year_and_errors(reg, exports, tmp_path):
    voc = osp.join(exports[0], 'voc', 'VOC2007')
    assert reg.voc_class_names(voc, 'trainval') == ['bird']
    assert reg.voc_year(voc) == 2007
    with pytest.raises(FileNotFoundError, match='ImageSets/Main/nope.txt'):
        reg.voc_class_names(voc, 'nope')
    with pytest.raises(FileNotFoundError, match='annotation file not found'):
        reg.check_all([('x', str(tmp_path / 'no.json'), str(tmp_path))], [])
    empty = tmp_path / 'empty.json'
    empty.write_text(json.dumps({'images': [], 'annotations': []}))
    with pytest.raises(ValueError, match='has no "images"'):
        reg.check_all([('x', str(empty), str(tmp_path))], [])


def test_arguments_are_repeatable(reg):
    import argparse
    parser = argparse.ArgumentParser()
    reg.add_register_args(parser)
    args = parser.parse_args([
        '--register-coco', 'a', 'a.json', 'img', '--register-coco', 'b',
        'b.json', 'img', '--register-voc', 'v', 'VOC2007', 'test'
    ])
    assert [r[0] for r in args.register_coco] == ['a', 'b']
    assert args.register_voc == [['v', 'VOC2007', 'test']]


def test_registered_datasets_load_in_detectron2(reg, exports):
    need_detectron2()
    from detectron2.data import DatasetCatalog, MetadataCatalog
    rle = exports[0]
    coco = osp.join(rle, 'coco')
    voc = osp.join(rle, 'voc', 'VOC2007')
    summaries = reg.register(
        [('t_synth_train', osp.join(coco, 'annotations/instances_train.json'),
          osp.join(coco, 'train'))], [('t_synth_voc', voc, 'test')])
    assert summaries['t_synth_train'] == dict(num_classes=1, rle=True)
    records = DatasetCatalog.get('t_synth_train')
    assert records and isinstance(records[0]['annotations'][0]['segmentation'],
                                  dict)
    assert MetadataCatalog.get('t_synth_voc').evaluator_type == 'pascal_voc'
    assert DatasetCatalog.get('t_synth_voc')[0]['annotations']
    # the same name and files again (another launch process) is fine
    reg.register(
        [('t_synth_train', osp.join(coco, 'annotations/instances_train.json'),
          osp.join(coco, 'train'))], [])
    with pytest.raises(ValueError, match='already registered'):
        reg.register([
            ('t_synth_train', osp.join(
                coco, 'annotations/instances_val.json'), osp.join(coco, 'val'))
        ], [])


def test_real_finetune_on_the_synthetic_export(repo_root, exports, tmp_path):
    """R50-C4 Mask R-CNN (extra-norm head) from a converted checkpoint, 2
    iterations on CPU, then COCO evaluation on the registered val set."""
    need_detectron2()
    import torch
    from mmpretrain.models import ResNet
    ckpt = str(tmp_path / 'r50.pth')
    torch.save({'state_dict': ResNet(depth=50).state_dict()}, ckpt)
    pkl = str(tmp_path / 'r50.pkl')
    py = sys.executable
    subprocess.run([
        py,
        osp.join(repo_root, 'tools/model_converters/to_detectron2.py'), ckpt,
        pkl
    ],
                   check=True,
                   cwd=repo_root)
    coco = osp.join(exports[0], 'coco')
    out = str(tmp_path / 'd2')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    run = subprocess.run([
        py,
        osp.join(repo_root, D2, 'train_net.py'), '--config-file',
        osp.join(repo_root, D2, 'configs/coco_R_50_C4_1x.yaml'),
        '--register-coco', 'synth_train',
        osp.join(coco, 'annotations/instances_train.json'),
        osp.join(coco, 'train'), '--register-coco', 'synth_val',
        osp.join(coco, 'annotations/instances_val.json'),
        osp.join(coco,
                 'val'), 'DATASETS.TRAIN', '("synth_train",)', 'DATASETS.TEST',
        '("synth_val",)', 'MODEL.WEIGHTS', pkl, 'MODEL.DEVICE', 'cpu',
        'MODEL.RESNETS.NORM', 'BN', 'TEST.PRECISE_BN.ENABLED', 'False',
        'SOLVER.IMS_PER_BATCH', '2', 'SOLVER.BASE_LR', '0.001',
        'SOLVER.MAX_ITER', '2', 'SOLVER.STEPS', '()', 'SOLVER.WARMUP_ITERS',
        '1', 'INPUT.MIN_SIZE_TRAIN', '(64,)', 'INPUT.MAX_SIZE_TRAIN', '128',
        'INPUT.MIN_SIZE_TEST', '64', 'INPUT.MAX_SIZE_TEST', '128',
        'DATALOADER.NUM_WORKERS', '0', 'OUTPUT_DIR', out
    ],
                         capture_output=True,
                         text=True,
                         cwd=repo_root,
                         env=env)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-4000:]
    assert 'INPUT.MASK_FORMAT bitmask' in log
    assert 'MODEL.ROI_HEADS.NUM_CLASSES 1' in log
    assert osp.isfile(osp.join(out, 'model_final.pth'))
    assert 'Evaluation results for segm' in log
