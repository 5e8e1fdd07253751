"""The rendered real-motion RGB configs (configs/rendered/) and their
benchmark rows (benchmarks/rendered_rows.py)."""
import glob
import os.path as osp
import sys

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmssar.registry import DATASETS
from mmssar.utils.experiment import RunNotFinished

RENDERED = ('configs/rendered/{}_tiny-slowonly_1500it_rendered-nwucla-'
            'xview{}.py')


def _path(project_root, method):
    suffix = '' if method == 'full-supervised' else '-10shot'
    return osp.join(project_root, RENDERED.format(method, suffix))


@pytest.fixture(scope='module')
def tiny_rendered(shared_data, tmp_path_factory):
    """3 clips per class and phase of NW-UCLA, 1 label per class."""
    from mmssar.datasets.skeleton_render import render_skeleton_dataset
    root = tmp_path_factory.mktemp('rendered')
    render_skeleton_dataset(
        'nwucla', osp.join(shared_data, 'skeleton', 'nw_ucla'),
        str(root / 'nwucla_xview'), size=32, frames=(8, 8), shots=(1, ),
        split_seeds=(0, ), limit=3)
    return root


def test_every_rendered_config_parses_with_the_rendered_data(project_root):
    configs = sorted(glob.glob(osp.join(project_root, 'configs', 'rendered',
                                        '*.py')))
    assert len(configs) >= 5
    for path in configs:
        cfg = Config.fromfile(path)
        loader = cfg.train_dataloader.dataset
        assert loader.num_classes == 10, path
        assert 'rendered/nwucla_xview/' in loader.dataset.ann_file, path
        assert 'rendered/nwucla_xview/' in cfg.val_dataloader.dataset.ann_file
        head = (cfg.model.get('student') or cfg.model).cls_head
        assert head.num_classes == 10, path
        unlabeled = cfg.train_cfg.get('unlabeled_dataloader')
        if unlabeled is not None:
            assert unlabeled.dataset.dataset.ann_file.endswith(
                'train_10shot_seed0_unlabeled.txt'), path
            assert 'render_rgb.py' in unlabeled.dataset.prepare_cmd


@pytest.mark.parametrize('method', ['fixmatch', 'full-supervised'])
def test_missing_data_names_the_command_that_makes_it(
        project_root, tmp_path, monkeypatch, method):
    monkeypatch.setenv('MMSSAR_RENDERED_ROOT', str(tmp_path / 'absent'))
    cfg = Config.fromfile(_path(project_root, method))
    with pytest.raises(FileNotFoundError) as err:
        DATASETS.build(cfg.train_dataloader.dataset)
    assert ('make it with: python tools/data/skeleton/render_rgb.py nwucla '
            '../shared/data/skeleton/nw_ucla --out '
            f'{tmp_path / "absent"}/nwucla_xview') in str(err.value)


@pytest.mark.parametrize('method', ['fixmatch', 'ltg', 'sefar', 'acl-mtl'])
def test_one_iteration_on_rendered_clips(project_root, tiny_rendered,
                                         tmp_path, monkeypatch, method):
    monkeypatch.setenv('MMSSAR_RENDERED_ROOT', str(tiny_rendered))
    cfg = Config.fromfile(_path(project_root, method))
    splits = tiny_rendered / 'nwucla_xview' / 'splits'
    cfg.merge_from_dict({
        'work_dir': str(tmp_path / 'work'),
        'log_level': 'WARNING',
        'train_cfg.max_iters': 1,
        'train_cfg.val_interval': 1,
        'train_dataloader.batch_size': 4,
        'train_dataloader.dataset.dataset.ann_file':
        str(splits / 'train_1shot_seed0_labeled.txt'),
        'train_cfg.unlabeled_dataloader.batch_size': 4,
        'train_cfg.unlabeled_dataloader.dataset.dataset.ann_file':
        str(splits / 'train_1shot_seed0_unlabeled.txt'),
    })
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    scalars = runner.message_hub.log_scalars
    assert any(k.startswith('val/acc/') for k in scalars), sorted(scalars)
    assert 'train/loss' in scalars


def test_benchmark_rows_seed_options_and_summary(project_root):
    sys.path.insert(0, osp.join(project_root, 'benchmarks'))
    try:
        import rendered_rows
    finally:
        sys.path.pop(0)
    for spec in rendered_rows.SETTINGS.values():
        # every setting has its own controls
        assert {'labeled_only', 'full'} <= set(spec['configs'])
        assert set(spec['configs']) <= set(rendered_rows.METHODS)
        for row in spec['configs'].values():
            config, options = (row, []) if isinstance(row, str) else row
            assert osp.isfile(osp.join(project_root, config)), config
            if options:  # the options apply to the config
                Config.fromfile(osp.join(project_root, config)
                                ).merge_from_dict(dict(
                                    o.split('=', 1) for o in options))
    assert set(rendered_rows.SSL_METHODS) == set(
        rendered_rows.METHODS) - set(rendered_rows.CONTROLS)
    opts = rendered_rows.seed_options('rendered_nwucla', 'fixmatch', 'R', 2)
    assert 'randomness.seed=2' in opts
    assert ('train_dataloader.dataset.dataset.ann_file='
            'R/nwucla_xview/splits/train_10shot_seed2_labeled.txt') in opts
    assert any(o.startswith('train_cfg.unlabeled_dataloader') and
               o.endswith('seed2_unlabeled.txt') for o in opts)
    assert rendered_rows.seed_options('rendered_nwucla', 'full', 'R',
                                      1) == ['randomness.seed=1']
    assert len(rendered_rows.seed_options('rendered_nwucla', 'labeled_only',
                                          'R', 0)) == 2
    # the same algorithm without unlabeled data: its pool is the labeled split
    opts = rendered_rows.seed_options('rendered_nwucla', 'ltg_labeled_data',
                                      'R', 1)
    assert ('train_cfg.unlabeled_dataloader.dataset.dataset.ann_file='
            'R/nwucla_xview/splits/train_10shot_seed1_labeled.txt') in opts
    config, row_opts = rendered_rows.SETTINGS['rendered_nwucla']['configs'][
        'ltg_labeled_data']
    assert config == rendered_rows.SETTINGS['rendered_nwucla']['configs'][
        'ltg']
    assert row_opts == ['train_cfg.unlabeled_includes_labeled=True']
    assert 'ltg_labeled_data' not in rendered_rows.SSL_METHODS
    assert rendered_rows.control_pairs({
        ('s', 'ltg'): {0: 30., 1: 40., 2: 50.},
        ('s', 'ltg_labeled_data'): {0: 25., 2: 41.}
    }) == ['s_ltg_minus_ltg_labeled_data=7.0',
           's_ltg_minus_ltg_labeled_data_std=2.8']
    # the issues' targets: each method and module against FixMatch, paired
    pairs = rendered_rows.control_pairs({
        ('t', 'acl_mtl_fixmatch'): {0: 15., 1: 20.},
        ('t', 'acl_only'): {0: 17., 1: 21.},
        ('t', 'labeled_only'): {0: 20.}})
    assert 't_acl_only_minus_acl_mtl_fixmatch=1.5' in pairs
    assert 't_acl_only_minus_acl_mtl_fixmatch_std=0.7' in pairs
    assert 't_acl_mtl_fixmatch_minus_labeled_only=-5.0' in pairs
    assert 't_acl_mtl_fixmatch_minus_labeled_only_std' not in ' '.join(pairs)
    # every pair names rows of one setting
    for method, control in rendered_rows.METHOD_CONTROLS:
        assert any(method in spec['configs'] and control in spec['configs']
                   for spec in rendered_rows.SETTINGS.values()), (method,
                                                                 control)
    results = {('s', 'labeled_only'): [40., 50., 60.],
               ('s', 'fixmatch'): [60., 70., 80.],
               ('s', 'ltg'): [55., 55., 55.],
               ('s', 'full'): [80., 80., 80.]}
    lines, pairs = rendered_rows.summarize_rows(results,
                                                rendered_rows.SSL_METHODS)
    assert 's_labeled_only_top1=50.0' in pairs
    assert 's_labeled_only_top1_std=10.0' in pairs
    assert 's_best_ssl=fixmatch' in pairs
    assert 's_best_ssl_gap_recovered_pct=66.7' in pairs
    assert 's_ltg_gap_recovered_pct=16.7' in pairs
    assert len(lines) == 5


def test_rows_without_training_leave_out_unfinished_seeds(
        project_root, monkeypatch):
    sys.path.insert(0, osp.join(project_root, 'benchmarks'))
    try:
        import rendered_rows
    finally:
        sys.path.pop(0)
    calls = []

    def fake_train(config, work_dir, options, env, key_extra, reuse_only):
        calls.append((work_dir, reuse_only))
        if work_dir.endswith('fixmatch_seed1') or 'ltg' in work_dir:
            raise RunNotFinished(work_dir)
        return {'acc/top1': 0.5}

    monkeypatch.setattr(rendered_rows, 'prepare', lambda *a: {})
    monkeypatch.setattr(rendered_rows, 'train_config', fake_train)
    results = rendered_rows.run_rows('shared', work_dir='w',
                                     methods=['fixmatch', 'ltg', 'full'],
                                     seeds=[0, 1], reuse_only=True,
                                     settings=['rendered_nwucla'])
    assert results == {('rendered_nwucla', 'fixmatch'): {0: 50.0},
                       ('rendered_nwucla', 'full'): {0: 50.0, 1: 50.0}}
    assert all(reuse for _, reuse in calls) and len(calls) == 6


def test_rendered_configs_name_their_own_preparation(project_root):
    paths = [osp.join(project_root, 'configs', '_base_', 'datasets', name)
             for name in ('rendered_nwucla_xview_10shot.py',
                          'rendered_jhmdb_split1_10shot.py')]
    paths += sorted(glob.glob(osp.join(project_root, 'configs', 'rendered',
                                       '*.py')))
    for path in paths:
        cfg = Config.fromfile(path)
        # the hint a missing-data error prints (not the synthetic base's)
        assert cfg.data_preparation == cfg.prepare_cmd
        assert 'render_rgb.py' in cfg.data_preparation


def test_jhmdb_dataset_config_points_at_its_own_data(project_root):
    cfg = Config.fromfile(osp.join(project_root, 'configs', '_base_',
                                   'datasets',
                                   'rendered_jhmdb_split1_10shot.py'))
    assert cfg.num_classes == 14
    for loader in (cfg.train_dataloader, cfg.unlabeled_dataloader):
        assert loader.dataset.num_classes == 14
        assert '/jhmdb_split1/splits/train_10shot_seed0_' in (
            loader.dataset.dataset.ann_file)
        assert '--split 1' in loader.dataset.prepare_cmd
    assert cfg.val_dataloader.dataset.ann_file.endswith('jhmdb_split1/val.txt')
