"""Reproduce each paper's claim in miniature on the synthetic test bed.

    python tools/reproduce_mini.py METHOD [--seeds 0,1,2] [--device cpu]
        [--work-dir DIR] [--variant NAME] [--epochs E] [--scale S]
    python tools/reproduce_mini.py --summary [--work-dir DIR]

METHOD is one of ``lcr dilo sca clove bam`` (``tools/reproduce/specs.py``
says what each compares and why). For every seed the base and the add-on
are trained with ``tools/train.py`` on the same rendered test bed with the
same settings (only the add-on differs), and a randomly initialised base is
probed as a third row. The probes (``tools/reproduce/probes.py``) give one
value per claim; a claim is reproduced when the mean add-on - base
difference exceeds twice its standard deviation over seeds and every seed
agrees in sign (``mmssl_addons.evaluation.functional.claim_summary``).

Writes ``DIR/METHOD.json`` (``DIR/METHOD-VARIANT.json`` for a variant) and
``DIR/METHOD.png`` (per-seed values and means per claim, maps of base and
add-on over test images with the object outline); ``--summary`` writes
``DIR/summary.md`` from every result in DIR. Runs live in
``DIR/METHOD/seedS/{base,addon}-<config digest>``: a finished run is reused,
an interrupted one resumed, a changed config trains in a new folder.
Existing results are replaced only with ``--overwrite``.

``--scale S`` (for a GPU, ``--device cuda``) multiplies the images per
class and the epochs.
"""
import argparse
import dataclasses
import json
import os.path as osp
import sys
import time

import torch
from reproduce import probes, report, runs
from reproduce.specs import METHODS

from mmssl_addons.evaluation.functional import claim_summary
from mmssl_addons.utils.atomic_io import atomic_path, dump_json_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.split('\n')[1:]))
    parser.add_argument('method', nargs='?', choices=sorted(METHODS))
    parser.add_argument('--seeds', default='0,1,2', help='e.g. 0,1,2')
    parser.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    parser.add_argument('--work-dir', default='work_dirs/reproduce_mini')
    parser.add_argument('--variant', help='an add-on variant of the spec')
    parser.add_argument('--epochs', type=int, help='override the epochs')
    parser.add_argument(
        '--per-class', type=int, help='override the images per class')
    parser.add_argument(
        '--scale', type=float, default=1.0, help='x images and x epochs')
    parser.add_argument(
        '--set',
        action='append',
        default=[],
        metavar='KEY=VALUE',
        help='a setting for BOTH arms (VALUE read as JSON, else a string), '
        'e.g. model.queue_len=256; needs --tag')
    parser.add_argument('--tag', help='suffix of the result files')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace an existing METHOD.json / METHOD.png')
    parser.add_argument(
        '--summary', action='store_true', help='only write summary.md')
    args = parser.parse_args(argv)
    if not args.summary and args.method is None:
        parser.error('give a METHOD (one of %s) or --summary' %
                     ' '.join(sorted(METHODS)))
    try:
        args.seeds = [int(s) for s in args.seeds.split(',') if s != '']
    except ValueError:
        parser.error(f'--seeds must be integers separated by commas, got '
                     f'{args.seeds!r}')
    if not args.seeds or len(set(args.seeds)) != len(args.seeds):
        parser.error('--seeds must list distinct seeds, e.g. 0,1,2')
    if args.scale <= 0:
        parser.error('--scale must be positive')
    if args.set and not args.tag:
        parser.error('--set changes the settings: give --tag NAME so the '
                     'results do not replace the standard ones')
    args.shared = {}
    for item in args.set:
        key, sep, value = item.partition('=')
        if not sep or not key:
            parser.error(f'--set needs KEY=VALUE, got {item!r}')
        try:
            args.shared[key] = json.loads(value)
        except ValueError:
            args.shared[key] = value
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda but no CUDA device is visible')
    return args


def write_summary(work_dir: str) -> str:
    results = report.load_results(work_dir)
    if not results:
        sys.exit(f'error: no METHOD.json results in {work_dir}')
    path = osp.join(work_dir, 'summary.md')
    with atomic_path(path) as tmp:
        with open(tmp, 'w') as f:
            f.write(report.summary_markdown(results))
    return path


def evaluate(model, cfg, claims, arm: str) -> dict:
    ev = probes.Evaluation(model, cfg)
    out = {}
    for claim in claims:
        kind = claim.maps[0 if arm in ('base', 'random') else 1]
        out[claim.metric] = float(probes.METRICS[claim.metric](
            ev, map_kind=kind))
    return out, ev


def random_model(cfg, seed: int, device: str):
    from mmpretrain.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.to(device).eval()


def main(argv=None):
    args = parse_args(argv)
    args.work_dir = osp.abspath(args.work_dir)  # training runs in the repo
    if args.summary:
        print(f'summary written to {write_summary(args.work_dir)}')
        return
    spec = METHODS[args.method]
    variant = {}
    if args.variant:
        if args.variant not in spec.variants:
            sys.exit(f'error: {args.method} has no variant {args.variant!r};'
                     f' choose from {sorted(spec.variants) or "none"}')
        variant = spec.variants[args.variant]
    name = args.method + (f'-{args.variant}' if args.variant else
                          '') + (f'-{args.tag}' if args.tag else '')
    if args.shared:
        spec = dataclasses.replace(
            spec, shared=runs.merged(spec.shared, args.shared))
    out_json = osp.join(args.work_dir, name + '.json')
    out_png = osp.join(args.work_dir, name + '.png')
    if osp.exists(out_json) and not args.overwrite:
        sys.exit(f'error: {out_json} exists; pass --overwrite to replace it '
                 'or choose another --work-dir')
    data = spec.data.as_dict()
    epochs = args.epochs or spec.epochs
    if args.per_class:
        data['per_class'] = args.per_class
    if args.scale != 1.0:
        data['per_class'] = int(round(data['per_class'] * args.scale))
        epochs = int(round(epochs * args.scale))
    start = time.time()
    from mmengine.registry import init_default_scope

    import mmssl_addons  # noqa: F401  (registers the modules)
    from mmssl_addons.utils import init_model
    init_default_scope('mmpretrain')
    root = runs.prepare_data(data, args.work_dir)
    per_seed, train_s = {}, {}
    shown, done = None, 0
    for seed in args.seeds:
        row = {}
        base_cfg = runs.build_config(spec.base_config, root, spec, 'base',
                                     seed, epochs, {})
        addon_cfg = runs.build_config(
            spec.addon_config,
            root,
            spec,
            'addon',
            seed,
            epochs,
            variant,
            base_cfg=base_cfg)
        row['random'], _ = evaluate(
            random_model(base_cfg, seed, args.device), base_cfg, spec.claims,
            'random')
        evs = {}
        for arm, cfg in (('base', base_cfg), ('addon', addon_cfg)):
            run_dir = runs.run_dir_of(
                cfg, osp.join(args.work_dir, args.method, f'seed{seed}', arm),
                root)
            done += 1
            print(
                f'[reproduce] {name} seed {seed} {arm} ({done}/'
                f'{2 * len(args.seeds)}, {time.time() - start:.0f} s; log: '
                f'{osp.join(run_dir, "train.log")})',
                flush=True)
            record = runs.train(cfg, run_dir, args.device)
            train_s[f'{seed}/{arm}'] = record['train_s']
            model = init_model(cfg, record['checkpoint'], args.device)
            row[arm], evs[arm] = evaluate(model, cfg, spec.claims, arm)
            print(f'[reproduce] seed {seed} {arm}: {row[arm]}')
        per_seed[str(seed)] = row
        if shown is None:
            shown = evs
    claims = []
    for claim in spec.claims:
        values = {
            s: {
                arm: r[arm][claim.metric]
                for arm in r
            }
            for s, r in per_seed.items()
        }
        summary = claim_summary(values, claim.higher_is_better)
        claims.append(
            dict(
                metric=claim.metric,
                label=claim.label,
                primary=claim.primary,
                higher_is_better=claim.higher_is_better,
                maps=dict(zip(('base', 'addon'), claim.maps)),
                per_seed=values,
                **summary))
    result = dict(
        method=args.method,
        variant=args.variant,
        paper=spec.paper,
        base=spec.base,
        addon=spec.addon,
        budget_s=round(time.time() - start, 1),
        device=args.device,
        seeds=args.seeds,
        epochs=epochs,
        data=data,
        configs=dict(base=spec.base_config, addon=spec.addon_config),
        shared_overrides=spec.shared,
        tag=args.tag,
        addon_overrides=dict(spec.addon_only, **variant),
        train_s=train_s,
        # reused runs keep the time they took when they were trained
        train_total_s=round(sum(train_s.values()), 1),
        claims=claims,
        command='python tools/reproduce_mini.py ' +
        ' '.join(sys.argv[1:] if argv is None else argv))
    dump_json_atomic(result, out_json)
    tiles = _tiles(spec, shown)
    report.save_figure(result, tiles, out_png)
    print(report.summary_markdown([result]))
    print(f'[reproduce] {out_json}, {out_png} ({result["budget_s"]:.0f} s)')
    return result


def _tiles(spec, evs):
    """Maps of the first map-based claim (or feature norms)."""
    kinds = next((c.maps for c in spec.claims if c.maps != ('norm', 'norm')),
                 ('norm', 'norm'))
    test = evs['base'].with_masks('test')
    maps = {
        f'{spec.base} {kinds[0]}': evs['base'].maps(kinds[0]),
        f'{spec.addon} {kinds[1]}': evs['addon'].maps(kinds[1])
    }
    return report.map_tiles(test['inputs'], test['masks']['object'], maps)


if __name__ == '__main__':
    main()
