"""ACL + MTL on the synthetic motion set: FixMatch vs ACL+MTL vs ACL only vs
MTL only.

Same tiny 3D CNN, 20 labels per class, 1,500 CPU iterations for every row.
The ACL+MTL config trains and validates on *short* clips (8 frames, every
2nd: half to all of a motion), so that the long clips of MTL carry more
than the short one; the quickstart rows (labeled-only, FixMatch, full; shared
with the other benchmarks) see 8 frames spread over the whole video, an
easier protocol. The controls on the same short clips are therefore
``labeled_only_short``, ``full_short`` and ``acl_mtl_fixmatch`` (the tiny ACL+MTL config
with both modules off: FixMatch with EMA-teacher pseudo-labels), and the
``*_minus_acl_mtl_fixmatch`` differences are the modules' effects. The
ablations are ``model.mtl=None`` (ACL only) and ``model.acl=None`` (MTL
only); ``acl_only_projector`` moves the contrastive term into a projected
space (``acl.projector``), ``mtl_only_strong_query`` calibrates the
student's strong-view feature instead of the teacher's weak one
(``mtl.query``), ``mtl_only_masked_align`` aligns only the samples above
the pseudo-label threshold (``mtl.align_masked``). The ``*_calibrated_pl``
rows train the calibration on the labeled clips (a long view in the labeled
pipeline) and take the pseudo-labels from the calibrated teacher feature
(``mtl.calib_on='labeled'``, ``mtl.pseudo_labels='calibrated'``);
``mtl_only_ensemble_pl`` is their control without the calibration module in
the pseudo-labels (the teacher's probabilities averaged over the weak and
the long views).

Example::

    python benchmarks/acl_mtl_synthetic.py [--seeds 0 1 2]

Prints a table and ends with one line of ``key=value`` pairs (top-1 % of
the EMA teacher).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import synthetic_rows  # noqa: E402

TINY = 'configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-20shot.py'
CALIBRATED = ('configs/acl_mtl/acl-mtl_tiny-slowonly-calibrated-pl_1500it_'
              'synthetic-20shot.py')
#: the contrastive term in a projected space instead of the classifier's
PROJECTOR = [f'model.acl.projector.{k}={v}' for k, v in dict(
    type='ProjectionHead', num_layers=2, hidden_channels=128,
    out_channels=64, norm=False).items()]
ROWS = dict(
    **synthetic_rows.CONTROLS,
    labeled_only_short=('configs/acl_mtl/labeled-only_tiny-slowonly_1500it_'
                        'synthetic-20shot-short-clips.py', []),
    full_short=('configs/acl_mtl/full-supervised_tiny-slowonly_1500it_'
                'synthetic-short-clips.py', []),
    acl_mtl=(TINY, []),
    acl_only=(TINY, ['model.mtl=None']),
    acl_only_projector=(TINY, ['model.mtl=None', *PROJECTOR]),
    mtl_only=(TINY, ['model.acl=None']),
    mtl_only_strong_query=(TINY, ['model.acl=None',
                                  'model.mtl.query=student_strong']),
    mtl_only_masked_align=(TINY, ['model.acl=None',
                                  'model.mtl.align_masked=True']),
    acl_mtl_fixmatch=(TINY, ['model.acl=None', 'model.mtl=None']),
    acl_mtl_calibrated_pl=(CALIBRATED, []),
    mtl_only_calibrated_pl=(CALIBRATED, ['model.acl=None']),
    mtl_only_ensemble_pl=(CALIBRATED, ['model.acl=None',
                                       'model.mtl.pseudo_labels=ensemble']))

if __name__ == '__main__':
    synthetic_rows.main(
        __doc__.splitlines()[0], ROWS,
        compare=[(row, 'acl_mtl_fixmatch') for row in
                 ('acl_mtl', 'acl_only', 'acl_only_projector', 'mtl_only',
                  'mtl_only_strong_query', 'mtl_only_masked_align',
                  'acl_mtl_calibrated_pl', 'mtl_only_calibrated_pl',
                  'mtl_only_ensemble_pl')] +
        [('mtl_only_calibrated_pl', 'mtl_only_ensemble_pl')] +
        [('acl_mtl_fixmatch', 'labeled_only_short'),
         ('acl_mtl', 'fixmatch')])
