"""Run a stage chain: training configs (and tool commands) in order, a later
stage initialised from an earlier stage's best or last checkpoint.

Finished stages are skipped, an interrupted one is resumed; see
``docs/stage_chains.md`` for the chain-config format.

Examples::

    python tools/run_chain.py configs/scdnet/cpu/scdnet-cpu_chain_nwucla-xview.py
    python tools/run_chain.py CHAIN --launcher pytorch --gpus 8
    python tools/run_chain.py CHAIN --launcher slurm --partition P --gpus 8
    python tools/run_chain.py CHAIN --dry-run          # print the commands
    python tools/run_chain.py CHAIN --restart linear   # redo linear + dependents
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssar.utils.compat import apply_all  # noqa: E402

apply_all()

from mmssar.utils.chain import (ChainError, ChainRunner,  # noqa: E402
                                load_chain)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('chain', help='chain config file (defines `stages`)')
    parser.add_argument(
        '--work-dir',
        help='chain work dir; stage NAME works in WORK_DIR/NAME (default: '
        'work_dirs/<chain config name>)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                        default='none',
                        help='how training stages are launched')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per distributed training stage')
    parser.add_argument('--partition', help='slurm partition')
    parser.add_argument('--stages', nargs='+',
                        help='run only these stages (their inputs must be '
                        'finished)')
    parser.add_argument(
        '--restart', nargs='+', default=[],
        help='run these stages and every stage that reads from them anew '
        '(their old work dirs are renamed, not deleted)')
    parser.add_argument('--dry-run', action='store_true',
                        help='print what would run, run nothing')
    parser.add_argument('--no-init-check', action='store_true',
                        help='do not build each model to check that its '
                        'init checkpoint fits before starting the stage')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides added to every training stage (after the '
        'stage\'s own cfg_options), as in tools/train.py')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.chain))[0])
    try:
        runner = ChainRunner(load_chain(args.chain), work_dir,
                             launcher=args.launcher, gpus=args.gpus,
                             partition=args.partition,
                             cfg_options=args.cfg_options,
                             check_init=not args.no_init_check)
        if args.restart and not args.dry_run:
            runner.restart(args.restart)
        report = runner.run(only=args.stages, dry_run=args.dry_run)
    except ChainError as e:
        raise SystemExit(f'run_chain: {e}')
    print(' '.join(f'{name}={what.replace(" ", "_")}'
                   for name, what in report.items()))
    return report


if __name__ == '__main__':
    main()
