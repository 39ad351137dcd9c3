"""Step-time ratio of CLoVE against BYOL, views with boxes, one process.

    python benchmarks/clove_speed.py BASE_CONFIG ADDON_CONFIG \
        [--base-views 2x96] [--addon-views 2x96,6x48] [--batch-size 32] \
        [--warmup 3] [--rounds 5] [--steps 4] [--out result.json]

:mod:`benchmarks.speed` times two configs that take the same views; CLoVE
takes multi-crop views of two sizes plus each view's crop box and flip in
the data samples' metainfo, so this script builds each config's own pool
of random batches (``--base-views`` / ``--addon-views``: ``COUNTxSIZE``
groups, comma separated) with random boxes, and otherwise reuses
``speed.py``: the same :class:`speed.Bench` timing of ``model.train_step``
in alternating blocks (machine load hits both alike), median ratio over
rounds, and the same peak-RSS measurement in a child process per config.
"""
import argparse
import json
import statistics
import sys

import numpy as np
import speed  # benchmarks/, the script's folder
import torch
from mmengine.config import DictAction
from mmengine.logging import MessageHub

from mmssl_addons.utils import dump_json_atomic


def parse_views(spec):
    """``'2x96,6x48'`` -> ``[96, 96, 48, 48, 48, 48, 48, 48]``."""
    sizes = []
    for group in spec.split(','):
        count, _, size = group.partition('x')
        if not count.isdigit() or not size.isdigit():
            raise argparse.ArgumentTypeError(
                f'views must be COUNTxSIZE[,COUNTxSIZE...], got {spec!r}')
        sizes += [int(size)] * int(count)
    return sizes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='BASE ADDON')
    parser.add_argument('--base-views', type=parse_views, default='2x96')
    parser.add_argument('--addon-views', type=parse_views, default='2x96')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--steps', type=int, default=4)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--single-views', type=parse_views, help='internal')
    parser.add_argument('--out', help='write the result as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


class ViewBench(speed.Bench):
    """``speed.Bench`` with views of given sizes and random view boxes."""

    def __init__(self, config, args, sizes):
        from mmpretrain.structures import DataSample
        args = argparse.Namespace(**vars(args))
        args.num_views, args.img_size = 1, 8  # tiny default pool, replaced
        args.local_views, args.local_size = 0, 8
        super().__init__(config, args)
        rng = np.random.default_rng(0)
        g = torch.Generator().manual_seed(0)
        n = args.batch_size
        self.pool = []
        for _ in range(speed.POOL_SIZE):
            inputs = [
                torch.randint(
                    0, 256, (n, 3, s, s), generator=g, dtype=torch.uint8)
                for s in sizes
            ]
            samples = []
            for _ in range(n):
                xy = rng.uniform(0., 0.5, (len(sizes), 2))
                wh = rng.uniform(0.3, 0.5, (len(sizes), 2))
                samples.append(
                    DataSample(
                        metainfo=dict(
                            view_boxes=np.concatenate([xy, xy + wh], 1).astype(
                                np.float32),
                            view_flips=rng.random(len(sizes)) < 0.5)))
            self.pool.append(dict(inputs=inputs, data_samples=samples))


def child_peak_rss_mib(config, args, sizes):
    spec = ','.join(f'1x{s}' for s in sizes)
    cmd = [
        sys.executable, __file__, config, '--single-views', spec,
        '--batch-size',
        str(args.batch_size), '--steps',
        str(args.steps), '--device', args.device
    ]
    return speed.run_measuring_child(cmd + speed.common_child_args(args))


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    # CosineEMA (BYOL, CLoVE) reads the schedule length from the hub
    MessageHub.get_current_instance().update_info('max_iters', 10**6)
    if args.single_views:
        bench = ViewBench(args.configs[0], args, args.single_views)
        bench.run(1)
        base = speed.reset_peak_rss()
        bench.run(args.steps)
        print(speed.proc_status_mib('VmHWM') - base)
        return None
    if len(args.configs) != 2:
        raise SystemExit('error: give exactly two configs: BASE ADDON')
    sizes = [args.base_views, args.addon_views]
    benches = [ViewBench(c, args, s) for c, s in zip(args.configs, sizes)]
    for bench in benches:
        bench.run(args.warmup)
    times = {b.name: [] for b in benches}
    for r in range(args.rounds):
        for bench in benches:
            times[bench.name].append(bench.run(args.steps) / args.steps)
        print(
            f'round {r + 1}/{args.rounds}: ' +
            ', '.join(f'{k} {v[-1]:.3f} s' for k, v in times.items()),
            file=sys.stderr,
            flush=True)
    base, addon = (b.name for b in benches)
    ratios = [a / b for a, b in zip(times[addon], times[base])]
    peaks = {}
    if not args.no_memory and 'cuda' not in args.device:
        peaks = {
            b.name: child_peak_rss_mib(c, args, s)
            for b, c, s in zip(benches, args.configs, sizes)
        }
    result = dict(
        base=base,
        addon=addon,
        device=args.device,
        threads=torch.get_num_threads(),
        batch_size=args.batch_size,
        views={
            base: args.base_views,
            addon: args.addon_views
        },
        step_time_s={
            k: statistics.median(v)
            for k, v in times.items()
        },
        ratio=statistics.median(ratios),
        ratio_min=min(ratios),
        ratio_max=max(ratios),
        peak_memory_mib=peaks,
        memory_kind='peak RSS rise over the training steps, one config per '
        'process, glibc mmap threshold 64 KiB')
    print(json.dumps(result, indent=2))
    if args.out:
        dump_json_atomic(result, args.out)
    return result


if __name__ == '__main__':
    main()
