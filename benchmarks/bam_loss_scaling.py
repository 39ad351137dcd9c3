"""Time and memory of the BAM loss against the batch size.

    python benchmarks/bam_loss_scaling.py [--images 16 32 64 128 256 512] \
        [--views 8] [--global-views 2] [--dim 256] [--reps 3] \
        [--device cpu] [--teacher] [--out result.json]

BAM builds an ``M x M`` similarity matrix over all ``M = V * N`` augmented
samples and runs Sinkhorn on it, so time grows like ``M^2 (D + n_iters)``
and memory like ``M^2``. For each ``N`` this measures forward + backward of
:func:`bam_loss` (or :func:`bam_distill_loss` with ``--teacher``) on random
embeddings (median and minimum of ``--reps``: on a loaded machine the
minimum is the better estimate), and the peak memory: CUDA
``max_memory_allocated``, on CPU the peak resident-set rise of a child
process that runs only that size (glibc mmap threshold 64 KiB, as
``benchmarks/speed.py``). ``bytes_per_entry`` = peak / ``M^2``;
``--no-memory`` skips the memory.
"""
import argparse
import json
import os
import statistics
import sys
import time

import speed  # benchmarks/, the script's folder
import torch

from mmssl_addons.models.losses import bam_distill_loss, bam_loss


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument(
        '--images', type=int, nargs='+', default=[16, 32, 64, 128, 256, 512])
    p.add_argument('--views', type=int, default=8)
    p.add_argument('--global-views', type=int, default=2)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--teacher', action='store_true')
    p.add_argument('--no-memory', action='store_true')
    p.add_argument('--single', type=int, help='internal: one N, print RSS')
    p.add_argument('--out')
    return p.parse_args(argv)


def step(n, args, gen):
    m = n * args.views
    z = torch.randn(m, args.dim, generator=gen).to(args.device)
    z.requires_grad_(True)
    if args.teacher:
        t = torch.randn(m, args.dim, generator=gen).to(args.device)
        loss = bam_distill_loss(z, t, args.views, args.global_views)
    else:
        loss = bam_loss(z, args.views, args.global_views)
    loss.backward()
    return loss


def timed(n, args):
    gen = torch.Generator().manual_seed(0)
    sync = torch.cuda.synchronize if 'cuda' in args.device else (lambda: None)
    step(n, args, gen)  # warm-up
    times = []
    for _ in range(args.reps):
        sync()
        start = time.perf_counter()
        step(n, args, gen)
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def peak_mib(n, args):
    if 'cuda' in args.device:
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step(n, args, torch.Generator().manual_seed(0))
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    cmd = [
        sys.executable,
        os.path.abspath(__file__), '--single',
        str(n), '--views',
        str(args.views), '--global-views',
        str(args.global_views), '--dim',
        str(args.dim)
    ] + (['--teacher'] if args.teacher else [])
    return speed.run_measuring_child(cmd)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.single:
        step(min(args.single, 8), args, torch.Generator().manual_seed(0))
        base = speed.reset_peak_rss()
        step(args.single, args, torch.Generator().manual_seed(0))
        print(speed.proc_status_mib('VmHWM') - base)
        return None
    rows = []
    for n in args.images:
        m = n * args.views
        median, fastest = timed(n, args)
        row = dict(images=n, samples=m, time_s=median, time_min_s=fastest)
        if not args.no_memory:
            row['peak_mib'] = peak_mib(n, args)
            row['bytes_per_entry'] = row['peak_mib'] * 2**20 / m**2
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = dict(
        device=args.device,
        threads=torch.get_num_threads(),
        views=args.views,
        global_views=args.global_views,
        dim=args.dim,
        teacher=args.teacher,
        what='forward + backward of bam_loss on random embeddings',
        memory_kind=('cuda max_memory_allocated' if 'cuda' in args.device else
                     'peak RSS rise of a one-size child process'),
        rows=rows)
    if args.out:
        from mmssl_addons.utils import dump_json_atomic
        dump_json_atomic(result, args.out)
    return result


if __name__ == '__main__':
    main()
