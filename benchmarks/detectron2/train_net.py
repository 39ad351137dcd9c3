#!/usr/bin/env python
"""Fine-tune an mmssl_addons backbone with detectron2.

detectron2's ``tools/train_net.py`` plus what the SSL transfer protocol
needs:

* ``Res5ROIHeadsExtraNorm``: detectron2's C4 ``Res5ROIHeads`` with one more
  norm layer (``MODEL.RESNETS.NORM``) after res5, the "extra BN" of MoCo
  (He et al., 2020) that CLoVE, SCA and DiLo use for R50-C4; registered in
  ``ROI_HEADS_REGISTRY`` before the model is built.
* the evaluator of each dataset (COCO incl. keypoints, LVIS, VOC,
  Cityscapes instances) from its ``evaluator_type``;
* DensePose configs (``MODEL.DENSEPOSE_ON: True``) go through the DensePose
  project's config keys and trainer;
* ``--register-coco NAME JSON IMAGE_ROOT`` / ``--register-voc NAME VOC_DIR
  SPLIT`` (repeatable) register any COCO- / VOC-format dataset so that
  ``DATASETS.TRAIN`` / ``DATASETS.TEST`` can name it; RLE masks switch
  ``INPUT.MASK_FORMAT`` to ``bitmask`` and the number of classes follows
  the registered training sets, unless given (``register_datasets.py``).

Usage (weights converted by ``tools/model_converters/to_detectron2.py``; or
use ``tools/benchmarks/detectron2/dist_train.sh``, which converts)::

    python benchmarks/detectron2/train_net.py --num-gpus 8 \
        --config-file benchmarks/detectron2/configs/coco_R_50_C4_1x.yaml \
        MODEL.WEIGHTS r50_ssl.pkl OUTPUT_DIR work_dirs/d2/coco_c4

    # any COCO-format data
    python benchmarks/detectron2/train_net.py \
        --config-file benchmarks/detectron2/configs/coco_R_50_C4_1x.yaml \
        --register-coco my_train train.json images/ \
        --register-coco my_val val.json images/ \
        DATASETS.TRAIN '("my_train",)' DATASETS.TEST '("my_val",)' \
        MODEL.WEIGHTS r50_ssl.pkl

detectron2 is imported only when the script runs; without it the script
stops with installation instructions (docs/detectron2.md).
"""
import ast
import importlib.util
import os.path as osp
import sys

WEIGHTS_PLACEHOLDER = 'REPLACE_WITH_CONVERTED_PRETRAIN.pkl'
EXTRA_NORM_HEAD = 'Res5ROIHeadsExtraNorm'

INSTALL_HINT = (
    'detectron2 is not installed. It is not on PyPI: build it from source '
    'against the installed torch, e.g.\n'
    '    pip install --no-build-isolation '
    '"git+https://github.com/facebookresearch/detectron2.git"\n'
    'and, for the DensePose config, also\n'
    '    pip install --no-build-isolation "git+https://github.com/'
    'facebookresearch/detectron2.git#subdirectory=projects/DensePose"\n'
    'See docs/detectron2.md for the full steps.')


def _sibling(name):
    """Import ``benchmarks/detectron2/<name>.py`` (not a package)."""
    path = osp.join(osp.dirname(osp.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location(f'd2_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


register_datasets = _sibling('register_datasets')


def import_detectron2():
    """Import detectron2, or exit with the installation instructions."""
    try:
        import detectron2  # noqa: F401
    except ImportError as err:
        sys.exit(f'train_net.py: error: {INSTALL_HINT}\n(import failed: '
                 f'{err})')
    return detectron2


def _literal(value):
    """YAML strings like ``(18000, 22000)`` as detectron2 reads them."""
    if isinstance(value, str):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def _merge(base, child):
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config_tree(path):
    """Merge a detectron2 YAML with its ``_BASE_`` chain (plain dicts).

    A light reader for checks before detectron2 is imported (and for the
    tests); training merges the files with detectron2's ``CfgNode``.
    Values such as ``"(60000, 80000)"`` are parsed as Python literals.
    """
    import yaml

    def visit(node):
        if isinstance(node, dict):
            return {k: visit(v) for k, v in node.items()}
        return _literal(node)

    with open(path) as f:
        node = yaml.safe_load(f) or {}
    base = node.pop('_BASE_', None)
    node = visit(node)
    if base is None:
        return node
    base_path = base if osp.isabs(base) else osp.join(osp.dirname(path), base)
    if not osp.isfile(base_path):
        raise FileNotFoundError(f'{path}: _BASE_ {base!r} not found at '
                                f'{base_path}')
    return _merge(load_config_tree(base_path), node)


def needs_densepose(config_file):
    return bool(
        load_config_tree(config_file).get('MODEL', {}).get('DENSEPOSE_ON'))


def register_extra_norm_head():
    """Register ``Res5ROIHeadsExtraNorm`` (once) in detectron2."""
    from detectron2.layers import get_norm
    from detectron2.modeling.roi_heads import ROI_HEADS_REGISTRY, Res5ROIHeads

    if EXTRA_NORM_HEAD in ROI_HEADS_REGISTRY:
        return ROI_HEADS_REGISTRY.get(EXTRA_NORM_HEAD)

    class Res5ROIHeadsExtraNorm(Res5ROIHeads):
        """``Res5ROIHeads`` with a norm layer after the last res5 block.

        The pretrained res5 feeds the box predictor of the C4 model; the
        added norm (``MODEL.RESNETS.NORM``, SyncBN in our configs) is
        trained from scratch and rescales its output, as in MoCo's
        detection protocol.
        """

        def __init__(self, cfg, input_shape):
            super().__init__(cfg, input_shape)
            norm = get_norm(cfg.MODEL.RESNETS.NORM, self.res5[-1].out_channels)
            self.res5.add_module('norm', norm)

    ROI_HEADS_REGISTRY.register(Res5ROIHeadsExtraNorm)
    return Res5ROIHeadsExtraNorm


def build_evaluator(cfg, dataset_name, output_folder=None):
    """The standard evaluator for a registered detectron2 dataset."""
    from detectron2 import evaluation
    from detectron2.data import MetadataCatalog
    if output_folder is None:
        output_folder = osp.join(cfg.OUTPUT_DIR, 'inference')
    kind = MetadataCatalog.get(dataset_name).evaluator_type
    if kind == 'coco':  # boxes, masks and keypoints, from the config
        return evaluation.COCOEvaluator(dataset_name, output_dir=output_folder)
    if kind == 'lvis':
        return evaluation.LVISEvaluator(dataset_name, output_dir=output_folder)
    if kind == 'pascal_voc':
        return evaluation.PascalVOCDetectionEvaluator(dataset_name)
    if kind == 'cityscapes_instance':
        return evaluation.CityscapesInstanceEvaluator(dataset_name)
    raise ValueError(f'no evaluator for dataset {dataset_name!r} '
                     f'(evaluator_type {kind!r})')


def setup(args):
    from detectron2.config import get_cfg
    from detectron2.engine import default_setup

    cfg = get_cfg()
    densepose = needs_densepose(args.config_file)
    if densepose:
        try:
            from densepose import add_densepose_config
        except ImportError as err:
            sys.exit('train_net.py: error: this config needs the DensePose '
                     'project (MODEL.DENSEPOSE_ON). Install it as in '
                     f'docs/detectron2.md. (import failed: {err})')
        add_densepose_config(cfg)
    cfg.merge_from_file(args.config_file)
    cfg.merge_from_list(args.opts)
    summaries = register_datasets.register(
        getattr(args, 'register_coco', []), getattr(args, 'register_voc', []))
    extra = register_datasets.config_overrides(summaries, cfg.DATASETS.TRAIN,
                                               args.opts)
    if extra:
        print('train_net.py: from the registered datasets: ' + ' '.join(extra))
        cfg.merge_from_list(extra)
    if cfg.MODEL.WEIGHTS == WEIGHTS_PLACEHOLDER:
        sys.exit('train_net.py: error: MODEL.WEIGHTS is the placeholder of '
                 'the config: pass MODEL.WEIGHTS /path/to/backbone.pkl '
                 '(convert a checkpoint with tools/model_converters/'
                 'to_detectron2.py, or run tools/benchmarks/detectron2/'
                 'dist_train.sh, which converts it)')
    cfg.freeze()
    default_setup(cfg, args)
    return cfg, densepose


def trainer_class(densepose):
    if densepose:
        from densepose.engine import Trainer
        return Trainer
    from detectron2.engine import DefaultTrainer

    class Trainer(DefaultTrainer):

        @classmethod
        def build_evaluator(cls, cfg, dataset_name, output_folder=None):
            return build_evaluator(cfg, dataset_name, output_folder)

        def build_writers(self):
            """detectron2's writers; without tensorboard, all but its own
            (the console and ``metrics.json`` writers stay)."""
            if importlib.util.find_spec('tensorboard') is not None:
                return super().build_writers()
            from detectron2.utils.events import CommonMetricPrinter, JSONWriter
            print('train_net.py: tensorboard is not installed: no '
                  'TensorBoard events (metrics.json and the log remain)')
            return [
                CommonMetricPrinter(self.max_iter),
                JSONWriter(osp.join(self.cfg.OUTPUT_DIR, 'metrics.json'))
            ]

    return Trainer


def main(args):
    from detectron2.checkpoint import DetectionCheckpointer

    register_extra_norm_head()
    cfg, densepose = setup(args)
    trainer = trainer_class(densepose)
    if args.eval_only:
        model = trainer.build_model(cfg)
        DetectionCheckpointer(
            model, save_dir=cfg.OUTPUT_DIR).resume_or_load(
                cfg.MODEL.WEIGHTS, resume=args.resume)
        return trainer.test(cfg, model)
    runner = trainer(cfg)
    runner.resume_or_load(resume=args.resume)
    return runner.train()


def cli():
    import_detectron2()
    from detectron2.engine import default_argument_parser, launch

    parser = default_argument_parser()
    register_datasets.add_register_args(parser)
    args = parser.parse_args()
    if not osp.isfile(args.config_file):
        sys.exit(f'train_net.py: error: config file not found: '
                 f'{args.config_file}')
    try:
        register_datasets.check_all(args.register_coco, args.register_voc)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'train_net.py: error: {err}')
    launch(
        main,
        args.num_gpus,
        num_machines=args.num_machines,
        machine_rank=args.machine_rank,
        dist_url=args.dist_url,
        args=(args, ))


if __name__ == '__main__':
    cli()
