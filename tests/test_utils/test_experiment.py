"""The helpers behind `make demo` and the benchmarks: reading a run's
metrics, reusing finished runs only when nothing that decides them changed,
and (re)making the synthetic data set when it is stale."""
import json
import os
import os.path as osp
import sys

import pytest

from mmssar.datasets import synthetic_motion
from mmssar.utils import experiment


def _write_scalars(work_dir, records):
    path = osp.join(work_dir, '20260101_000000', 'vis_data')
    os.makedirs(path)
    with open(osp.join(path, 'scalars.json'), 'w') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')


def test_final_metrics_last_validation_and_median_iter_time(tmp_path):
    _write_scalars(str(tmp_path), [
        dict(loss=2.0, time=0.5, iter=1),
        dict(loss=1.0, time=0.1, iter=2),
        {'acc/top1': 0.2, 'step': 2},
        dict(loss=0.5, time=0.2, iter=3),
        {'acc/top1': 0.7, 'step': 3},
    ])
    m = experiment.final_metrics(str(tmp_path))
    assert m['acc/top1'] == 0.7
    assert m['iter_time'] == pytest.approx(0.2)
    assert experiment.top1(m) == pytest.approx(70.)
    assert experiment.top1({'acc/teacher_top1': 0.5, 'acc/top1': 0.1}) == 50.


def test_final_metrics_without_validation_is_an_error(tmp_path):
    _write_scalars(str(tmp_path), [dict(loss=1.0, time=0.1)])
    with pytest.raises(RuntimeError, match='no validation result'):
        experiment.final_metrics(str(tmp_path))


def _config_and_run(tmp_path, text='a = 1\nb = dict(c=2)\n'):
    """A config file and a finished run of it (result.json and the config
    dump MMEngine writes into the work dir)."""
    config = str(tmp_path / 'cfg.py')
    with open(config, 'w') as f:
        f.write(text)
    work_dir = str(tmp_path / 'run')
    os.makedirs(work_dir)
    with open(osp.join(work_dir, 'cfg.py'), 'w') as f:
        # as dumped: the options merged, plus the keys naming the run
        f.write("a = 1\nb = dict(c=3)\nwork_dir = 'x'\nlauncher = 'none'\n")
    return config, work_dir


def test_train_config_reuses_a_run_only_with_the_same_key(tmp_path):
    config, work_dir = _config_and_run(tmp_path)
    key = dict(config=config, cfg_options=['b.c=3'], data=dict(version=3))
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(dict(key=key, metrics={'acc/top1': 0.9}), f)
    # same config, options and data: the saved metrics, nothing is run
    m = experiment.train_config(config, work_dir, ['b.c=3'], echo=False,
                                key_extra=dict(data=dict(version=3)))
    assert m == {'acc/top1': 0.9}
    # other data (or options): the run is repeated, which fails here (the
    # file is no training config)
    for options, extra in ((['b.c=3'], dict(data=dict(version=4))),
                           (['b.c=4'], dict(data=dict(version=3)))):
        with pytest.raises(RuntimeError, match='failed'):
            experiment.train_config(config, work_dir, options, echo=False,
                                    key_extra=extra)
        # asked not to train: refused before anything runs
        with pytest.raises(experiment.RunNotFinished):
            experiment.train_config(config, work_dir, options, echo=False,
                                    key_extra=extra, reuse_only=True)
    assert experiment.train_config(
        config, work_dir, ['b.c=3'], echo=False,
        key_extra=dict(data=dict(version=3)), reuse_only=True) == m


def test_a_run_whose_config_was_edited_is_stale(tmp_path):
    config, work_dir = _config_and_run(tmp_path)
    assert experiment.config_changed(config, work_dir, ['b.c=3']) is None
    assert 'b' in experiment.config_changed(config, work_dir, ['b.c=4'])
    # an edit of the file (or of a base) after the run
    with open(config, 'a') as f:
        f.write('d = 5\n')
    assert "['d']" in experiment.config_changed(config, work_dir, ['b.c=3'])
    key = dict(config=config, cfg_options=['b.c=3'])
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(dict(key=key, metrics={'acc/top1': 0.9}), f)
    with pytest.raises(RuntimeError, match='failed'):
        experiment.train_config(config, work_dir, ['b.c=3'], echo=False)
    # the data-preparation hint is read by no training: still the same run
    with open(config, 'a') as f:
        f.write("data_preparation = 'python make_data.py'\n")
    assert "['d']" in experiment.config_changed(config, work_dir, ['b.c=3'])
    assert experiment.config_changed(config, work_dir, ['b.c=3'],
                                     ignore=('d', )) is None
    # no dump (a run of another tool): stale
    os.remove(osp.join(work_dir, 'cfg.py'))
    assert 'no dumped config' in experiment.config_changed(
        config, work_dir, ['b.c=3'])


def test_config_is_resolved_under_the_runs_environment(tmp_path,
                                                       monkeypatch):
    monkeypatch.delenv('MMSSAR_TEST_ROOT', raising=False)
    config, work_dir = _config_and_run(
        tmp_path, "a = 1\nb = dict(c=2)\nroot = '{{$MMSSAR_TEST_ROOT:d}}'\n")
    with open(osp.join(work_dir, 'cfg.py'), 'a') as f:
        f.write("root = 'elsewhere'\n")
    assert experiment.config_changed(config, work_dir, ['b.c=3'],
                                     dict(MMSSAR_TEST_ROOT='elsewhere')) is None
    assert 'root' in experiment.config_changed(config, work_dir, ['b.c=3'])
    assert 'MMSSAR_TEST_ROOT' not in os.environ


def test_prepare_synthetic_remakes_stale_data(tmp_path, monkeypatch):
    made, splits = [], []

    def fake_generate(root, seed, workers, **args):
        made.append(dict(seed=seed, **args))
        os.makedirs(root, exist_ok=True)
        with open(osp.join(root, 'meta.json'), 'w') as f:
            json.dump(dict(version=synthetic_motion._GENERATOR_VERSION,
                           seed=seed, args=args), f)

    def fake_split(ann, out, per_class, seed, split=None):
        splits.append(per_class)
        os.makedirs(osp.dirname(out), exist_ok=True)
        open(out + '_labeled.txt', 'w').close()

    monkeypatch.setattr(synthetic_motion, 'generate_synthetic_motion',
                        fake_generate)
    monkeypatch.setattr(experiment, '_make_split', fake_split)
    root = str(tmp_path / 'synth')

    data = experiment.prepare_synthetic(root, seed=0, shots=(5, 20))
    assert len(made) == 1 and splits == [5, 20]
    assert data['version'] == synthetic_motion._GENERATOR_VERSION
    assert data['num_train_per_class'] == made[0]['num_train_per_class']
    # up to date: neither data nor splits are made again
    experiment.prepare_synthetic(root, seed=0, shots=(5, 20))
    assert len(made) == 1 and splits == [5, 20]
    # another size (e.g. made by an older default) or seed: made anew
    with open(osp.join(root, 'meta.json')) as f:
        meta = json.load(f)
    meta['args']['num_train_per_class'] = 80
    with open(osp.join(root, 'meta.json'), 'w') as f:
        json.dump(meta, f)
    experiment.prepare_synthetic(root, seed=0, shots=(5, ))
    assert len(made) == 2 and splits == [5, 20, 5]
    experiment.prepare_synthetic(root, seed=1, shots=(5, ))
    assert len(made) == 3 and made[-1]['seed'] == 1


def _tiny_pose_pickle(path, per_class=6, classes=3):
    import pickle

    import numpy as np
    names = [f'clip{i:02d}' for i in range(per_class * classes)]
    anns = [dict(frame_dir=n, label=i % classes, total_frames=4,
                 keypoint=np.zeros((1, 4, 3, 2), np.float32))
            for i, n in enumerate(names)]
    with open(path, 'wb') as f:
        pickle.dump(dict(split=dict(train=names), annotations=anns), f)


def _names(path):
    import pickle
    with open(path, 'rb') as f:
        return {a['frame_dir'] for a in pickle.load(f)['annotations']}


def test_seed_splits_redraw_the_split_and_share_the_data_file(tmp_path):
    root = str(tmp_path)
    _tiny_pose_pickle(osp.join(root, 'pose.pkl'))
    for seed in (0, 1):
        experiment._seed_split(root, 'pose.pkl', 'pose_2pc', 2, seed,
                               'train')
    seed1 = experiment.seed_root(root, 1)
    assert seed1 == osp.join(root, 'seed1')
    assert experiment.seed_root(root, 0) == root
    # the data file is linked, not copied; the split is drawn anew
    assert osp.islink(osp.join(seed1, 'pose.pkl'))
    assert _names(osp.join(seed1, 'pose.pkl')) == _names(
        osp.join(root, 'pose.pkl'))
    lab0 = _names(osp.join(root, 'pose_2pc_labeled.pkl'))
    lab1 = _names(osp.join(seed1, 'pose_2pc_labeled.pkl'))
    unl1 = _names(osp.join(seed1, 'pose_2pc_unlabeled.pkl'))
    assert len(lab0) == len(lab1) == 6
    assert lab0 != lab1
    assert not lab1 & unl1 and len(lab1 | unl1) == 18


def test_skeleton_run_of_a_seed_uses_its_split_seed_and_work_dir(
        tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        experiment, 'train_config',
        lambda config, work_dir, options, env=None, echo=True, key_extra=None,
        reuse_only=False:
        calls.append((config, work_dir, options, env, key_extra)) or {})
    experiment.skeleton_run('nwucla', 'fixmatch', 'W', ['a=1'], seed=0,
                            data_root='D')
    experiment.skeleton_run('nwucla', 'fixmatch', 'W', ['a=1'],
                            env=dict(X='1'), seed=2, data_root='D')
    (_, dir0, opts0, env0, key0), (_, dir2, opts2, env2, key2) = calls
    # seed 0 is the run made before seeds existed: same dir, options, key
    assert dir0 == osp.join('W', 'nwucla', 'fixmatch')
    assert opts0 == ['a=1'] and env0 is None and key0 == dict(data=None)
    assert dir2 == osp.join('W', 'nwucla', 'fixmatch_seed2')
    assert opts2 == ['a=1', 'randomness.seed=2']
    assert env2 == dict(X='1', MMSSAR_SKELETON_ROOT=osp.join('D', 'seed2'))
    assert key2 == dict(data=None, seed=2)


def test_a_row_with_an_input_runs_it_first_and_keys_on_its_checkpoint(
        tmp_path, monkeypatch):
    calls = []

    def fake_train(config, work_dir, options, env=None, echo=True,
                   key_extra=None, reuse_only=False):
        calls.append((work_dir, list(options), key_extra))
        os.makedirs(work_dir, exist_ok=True)
        with open(osp.join(work_dir, 'iter_9.pth'), 'w') as f:
            f.write(version)
        with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
            f.write(osp.join(work_dir, 'iter_9.pth'))
        return {}

    monkeypatch.setattr(experiment, 'train_config', fake_train)
    work = str(tmp_path)
    version = 'weights A'
    experiment.skeleton_run('jhmdb', 'self_training', work, ['a=1'], seed=1,
                            data_root='D')
    (src_dir, src_opts, _), (dir_, opts, key) = calls
    assert src_dir == osp.join(work, 'jhmdb', 'labeled_only_seed1')
    assert dir_ == osp.join(work, 'jhmdb', 'self_training_seed1')
    ckpt = osp.join(src_dir, 'iter_9.pth')
    assert opts == ['a=1', f'load_from={ckpt}',
                    f'model.teachers.labeled.checkpoint={ckpt}',
                    'randomness.seed=1']
    assert key['input']['row'] == 'labeled_only'
    # another labeled-only model gives another key: the row is not reused
    version = 'weights B'
    calls.clear()
    experiment.skeleton_run('jhmdb', 'self_training', work, ['a=1'], seed=1,
                            data_root='D')
    assert calls[1][2]['input']['sha1'] != key['input']['sha1']
    # the control continues the same model without unlabeled data
    calls.clear()
    experiment.skeleton_run('jhmdb', 'labeled_only_x2', work, seed=1,
                            data_root='D')
    assert calls[1][1] == [f'load_from={ckpt}', 'randomness.seed=1']


def test_summarize_rows_gap_shares_and_best_method():
    results = {('s', 'labeled_only'): [40., 60.],
               ('s', 'fixmatch'): [70., 70.],
               ('s', 'meanteacher'): [60.],
               ('s', 'full'): [90., 90.]}
    lines, pairs = experiment.summarize_rows(
        results, ('fixmatch', 'meanteacher'))
    assert 's_fixmatch_gap_recovered_pct=50.0' in pairs
    # one seed: paired with the controls' first seed (40 -> 90), not with
    # their mean over two seeds (50 -> 90)
    assert 's_meanteacher_gap_recovered_pct=40.0' in pairs
    assert 's_best_ssl=fixmatch' in pairs
    assert 's_labeled_only_top1_std=14.1' in pairs
    assert len(lines) == 5 and lines[2].split()[-5:] == ['50.0', '2', '70.0',
                                                         '/', '70.0']


def test_summarize_rows_pairs_the_seeds_of_dict_rows():
    results = {('s', 'labeled_only'): {0: 40., 1: 60., 2: 50.},
               ('s', 'fixmatch'): {1: 70., 2: 70.},
               ('s', 'self_training'): {0: 70.},
               ('s', 'full'): {0: 90., 1: 90., 2: 90.}}
    lines, pairs = experiment.summarize_rows(
        results, ('fixmatch', 'self_training'))
    # fixmatch on seeds 1, 2 (controls 55 -> 90); self-training on seed 0
    assert 's_fixmatch_gap_recovered_pct=42.9' in pairs
    assert 's_self_training_gap_recovered_pct=60.0' in pairs
    # the best by paired share, although both rows average 70
    assert 's_best_ssl=self_training' in pairs
    # seeds, then each seed's top-1 in the seeds' order
    assert lines[1].split()[-6:] == ['0,1,2', '40.0', '/', '60.0', '/',
                                     '50.0']
    assert lines[2].split()[-5:] == ['42.9', '1,2', '70.0', '/', '70.0']


def test_summarize_rows_setting_column_fits_long_names():
    long = 'a_setting_name_longer_than_18'
    lines, _ = experiment.summarize_rows(
        {(long, 'labeled_only'): {0: 10.}}, ())
    # the setting and the method stay two columns
    assert lines[1].split()[:2] == [long, 'labeled_only']


def test_paired_difference_uses_the_common_seeds():
    mean, std, seeds = experiment.paired_difference(
        {0: 30., 1: 40., 2: 50.}, {0: 25., 2: 41., 3: 0.})
    assert (mean, seeds) == (7.0, [0, 2])
    assert round(std, 3) == 2.828  # stdev of (5, 9)
    # one common seed: no spread; none: no difference
    assert experiment.paired_difference({0: 3.}, {0: 1.}) == (2., None, [0])
    assert experiment.paired_difference({0: 3.}, {1: 1.}) is None


def test_accuracy_benchmark_default_rows(project_root):
    sys.path.insert(0, osp.join(project_root, 'benchmarks'))
    try:
        import accuracy
    finally:
        sys.path.pop(0)
    # the default table: every row with all seeds; the diagnosis variants
    # only when named
    for row in experiment.EXPLORATORY_SKELETON_ROWS:
        assert row in experiment.SKELETON_CONFIGS['jhmdb']
        assert not accuracy.wanted('jhmdb', row)
        assert accuracy.wanted('nwucla', row, [row])
    for row in ('labeled_only', 'fixmatch', 'self_training', 'full'):
        assert accuracy.wanted('nwucla', row)
        assert not accuracy.wanted('nwucla', row, ['meanteacher'])
    assert accuracy.wanted('synthetic', 'meanteacher')


def test_skeleton_benchmark_summary_pairs_rows_by_seed(project_root):
    sys.path.insert(0, osp.join(project_root, 'benchmarks'))
    try:
        import skeleton_ssl
    finally:
        sys.path.pop(0)
    # seed 1 has no SCD-Net rows yet (--no-train)
    results = {('nwucla', 0): dict(stgcn_labeled=60., stgcn_full=80.,
                                   stgcn_fixmatch=70., scd_finetune=75.,
                                   scd_scratch=65.),
               ('nwucla', 1): dict(stgcn_labeled=70., stgcn_full=90.,
                                   stgcn_fixmatch=85.)}
    lines, pairs = skeleton_ssl.summarize(results, ['nwucla'], [0, 1])
    assert 'nwucla_stgcn_labeled=65.00' in pairs
    assert 'nwucla_stgcn_labeled_std=7.07' in pairs
    assert 'nwucla_scd_finetune=75.00' in pairs
    assert not any(p.startswith('nwucla_scd_finetune_std') for p in pairs)
    # FixMatch over both seeds: (77.5 - 65) / (85 - 65); the fine-tune
    # against seed 0's controls only: (75 - 60) / (80 - 60)
    assert 'nwucla_stgcn_fixmatch_gap_recovered_pct=62.5' in pairs
    assert 'nwucla_scd_finetune_gap_recovered_pct=75.0' in pairs
    assert 'nwucla_finetune_minus_scratch=10.00' in pairs
    assert 'nwucla_finetune_minus_labeled_only=15.00' in pairs
    table = '\n'.join(lines)
    assert '| SCD-Net pretrain + semi-sup. fine-tune | 75.0 (seed 0) |' in (
        table)
    assert '| labeled-only ST-GCN | 65.0 ± 7.1 |' in table
    assert '| SCD-Net pretrain + linear | not run |' in table
    assert lines[-1].endswith('not run')  # no collapse monitors


def test_synthetic_rows_report_pairs_the_seeds(project_root, capsys):
    sys.path.insert(0, osp.join(project_root, 'benchmarks'))
    try:
        import synthetic_rows
    finally:
        sys.path.pop(0)

    def runs(*accs):
        return [{'acc/teacher_top1': a / 100, 'minutes': 1.0,
                 'iter_time': 0.5} for a in accs]

    # b beats a by 10 on every seed although both rows spread widely
    results = dict(a=runs(40., 60., 80.), b=runs(50., 70., 90.),
                   c=runs(55.))
    pairs = synthetic_rows.report(
        results, compare=[('b', 'a'), ('c', 'a'), ('d', 'a')])
    assert 'a_top1=60.0' in pairs and 'a_top1_std=20.0' in pairs
    assert 'b_minus_a=10.0' in pairs and 'b_minus_a_std=0.0' in pairs
    # a row with other seeds gets no paired spread; an absent row no pair
    assert 'c_minus_a=-5.0' in pairs
    assert not any(p.startswith(('c_minus_a_std', 'd_minus'))
                   for p in pairs)
    assert 'b_over_a_iter_cost=1.00' in pairs
    out = capsys.readouterr().out
    assert out.splitlines()[-3].endswith('40.0 / 60.0 / 80.0')  # row a
    assert out.splitlines()[-1].endswith('  55.0')  # row c
