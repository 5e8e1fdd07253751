"""TimeBalance on the synthetic motion set: the similarity-weighted student
next to the invariant-only, distinctive-only and average (s = 0.5)
students, the two teachers, and FixMatch.

The TimeBalance rows are the stages of the CPU chain
``configs/timebalance/cpu/timebalance-cpu_ablation-chain_20shot_synthetic.py``
(pre-training x3 -> fine-tuning of both teachers -> similarity scores ->
distillation with the four teacher weightings, and with the scores
min-max mapped instead of (1 + cos) / 2; pre-training 300 iterations,
fine-tuning the labeled-only recipe, distillation 1,500 iterations), run by
``mmssar.utils.chain`` in ``<work-dir>/timebalance_synthetic`` (finished
stages are reused: after editing a stage's config, move its work dir and
those of its dependents aside, ``tools/run_chain.py --restart``).
The teachers' rows compare directly with ``labeled_only``: the same recipe
from a pre-trained instead of a random initialisation. The controls (labeled-only, FixMatch, full
supervision; 1,500 iterations) are the rows of the other synthetic
benchmarks (``benchmarks/synthetic_rows.py``), trained once.

Example::

    python benchmarks/timebalance_synthetic.py

Prints a table and ends with one line of ``key=value`` pairs (top-1 %: the
student for the distillation rows, the fine-tuned model for the teachers,
the EMA teacher for FixMatch).
"""
import json
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import synthetic_rows  # noqa: E402

from mmssar.utils.chain import DONE_FILE, ChainRunner, load_chain  # noqa
from mmssar.utils.experiment import final_metrics, prepare_synthetic  # noqa

CHAIN = ('configs/timebalance/cpu/'
         'timebalance-cpu_ablation-chain_20shot_synthetic.py')
#: chain stage -> row
STAGE_ROWS = dict(
    finetune_inv='teacher_invariant',
    finetune_dist='teacher_distinctive',
    distil_inv='student_invariant_only',
    distil_dist='student_distinctive_only',
    distil_avg='student_average',
    distil='student_weighted',
    distil_minmax='student_weighted_minmax')


def stage_minutes(runner: ChainRunner, stage: str) -> float:
    """Minutes of a finished stage (its record, written when it ran)."""
    with open(osp.join(runner.stage_dir(stage), DONE_FILE)) as f:
        return json.load(f)['minutes']


def main():
    start = time.time()
    args = synthetic_rows.parse_args(__doc__.splitlines()[0],
                                     synthetic_rows.CONTROLS)
    if args.seeds != [0]:
        raise SystemExit('the TimeBalance chain runs on seed 0 only')
    results = synthetic_rows.train_rows(synthetic_rows.CONTROLS, args,
                                        'timebalance')
    prepare_synthetic(args.synthetic_root)
    options = []
    if args.max_iters:
        options = [f'train_cfg.max_iters={args.max_iters}']
    runner = ChainRunner(
        load_chain(osp.join(synthetic_rows.ROOT, CHAIN)),
        osp.join(synthetic_rows.ROOT, args.work_dir, 'timebalance_synthetic'),
        cfg_options=options,
        env=dict(MMSSAR_SYNTH_ROOT=args.synthetic_root),
        log=lambda msg: print(f'[timebalance] {msg}', flush=True))
    runner.run()
    for stage, row in STAGE_ROWS.items():
        metrics = final_metrics(runner.stage_dir(stage))
        metrics['minutes'] = stage_minutes(runner, stage)
        results[row] = [metrics]
    pairs = synthetic_rows.report(
        results,
        compare=[('student_weighted', 'student_invariant_only'),
                 ('student_weighted', 'student_distinctive_only'),
                 ('student_weighted', 'student_average'),
                 ('student_weighted_minmax', 'student_invariant_only'),
                 ('student_weighted_minmax', 'student_distinctive_only'),
                 ('student_weighted_minmax', 'student_weighted'),
                 ('student_weighted', 'labeled_only'),
                 ('student_weighted', 'fixmatch')],
        start=start)
    chain = sum(stage_minutes(runner, s.name) for s in runner.stages)
    print(f'the whole chain (pre-training x3 included): {chain:.1f} min')
    pairs.append(f'chain_minutes={chain:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
