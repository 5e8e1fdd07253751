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
import os
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


def score_diagnostic(runner: ChainRunner, score_stage: str) -> dict:
    """Does the similarity score tell which teacher is right?

    Both fine-tuned teachers classify every training video (the validation
    pipeline: 8 frames over the whole video); the score file of
    ``score_stage`` gives s (the invariant teacher's weight). Returns the
    teachers' accuracies, the accuracy of an oracle that picks the right
    teacher per video, and the mean s over the videos that only the
    invariant / only the distinctive teacher gets right: a useful score is
    higher on the former.
    """
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmssar.datasets.ann_io import read_annotations
    from mmssar.datasets.temporal_similarity_file import read_score_file
    from mmssar.models.utils.recognizer_io import (dataset_batches,
                                                   run_recognizer)
    from mmssar.registry import DATASETS, MODELS
    from mmssar.utils.chain import find_checkpoint
    from mmssar.utils.checkpoint import load_recognizer_weights

    cfg = Config.fromfile(runner.by_name['finetune_inv'].config)
    ds_cfg = dict(cfg.val_dataloader.dataset, ann_file=cfg.ann_file_train)
    records = read_annotations(cfg.ann_file_train)
    scores = read_score_file(
        osp.join(runner.stage_dir(score_stage), 'scores.json'))
    preds = {}
    with DefaultScope.overwrite_default_scope('mmssar'):
        dataset = DATASETS.build(ds_cfg)
        for name in ('inv', 'dist'):
            stage = f'finetune_{name}'
            model = MODELS.build(cfg.model)
            load_recognizer_weights(
                model, find_checkpoint(runner.stage_dir(stage)))
            model.eval()
            out = []
            with torch.no_grad():
                for _, batch in dataset_batches(model, dataset, 16):
                    out.append(run_recognizer(
                        model, dict(x=batch['inputs']))['x'].logits.argmax(1))
            preds[name] = torch.cat(out)
    labels = torch.tensor([r.label for r in records])
    s = torch.tensor([scores[r.key] for r in records])
    inv, dist = preds['inv'] == labels, preds['dist'] == labels

    def mean_s(mask):
        return round(float(s[mask].mean()), 3) if mask.any() else None

    return dict(
        train_acc_inv=round(100 * float(inv.float().mean()), 1),
        train_acc_dist=round(100 * float(dist.float().mean()), 1),
        oracle_acc=round(100 * float((inv | dist).float().mean()), 1),
        only_inv_right=int((inv & ~dist).sum()),
        only_dist_right=int((dist & ~inv).sum()),
        s_only_inv_right=mean_s(inv & ~dist),
        s_only_dist_right=mean_s(dist & ~inv),
        s_all=round(float(s.mean()), 3))


def main():
    start = time.time()
    args = synthetic_rows.parse_args(__doc__.splitlines()[0],
                                     synthetic_rows.CONTROLS)
    if args.seeds != [0]:
        raise SystemExit('the TimeBalance chain runs on seed 0 only')
    results = synthetic_rows.train_rows(synthetic_rows.CONTROLS, args,
                                        'timebalance')
    prepare_synthetic(args.synthetic_root)
    # the in-process score diagnostic reads the configs too
    os.environ['MMSSAR_SYNTH_ROOT'] = args.synthetic_root
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
    for stage in ('similarity', 'similarity_minmax'):
        diag = score_diagnostic(runner, stage)
        print(f'does the {stage} score pick the right teacher? (training '
              f'videos): {diag}')
        pairs.append(f"{stage}_s_only_inv_right={diag['s_only_inv_right']}")
        pairs.append(
            f"{stage}_s_only_dist_right={diag['s_only_dist_right']}")
    pairs.append(f"teachers_oracle_top1_train={diag['oracle_acc']}")
    chain = sum(stage_minutes(runner, s.name) for s in runner.stages)
    print(f'the whole chain (pre-training x3 included): {chain:.1f} min')
    pairs.append(f'chain_minutes={chain:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
