"""SeFAR on the synthetic motion set: FixMatch vs SeFAR vs each component
removed, and the paper's temporal reversal vs the official channel flip.

Same tiny 3D CNN, 20 labels per class, 1,500 CPU iterations for every row
(the quickstart FixMatch config is the baseline). Rows:

* ``fixmatch``: configs/quickstart FixMatch (shared with the other
  benchmarks), next to labeled-only and full supervision;
* ``sefar``: configs/sefar tiny config (elements, reversal, Ada-Reg, mix);
* ``sefar_no_regulation``: every pseudo-label weight 1;
* ``sefar_no_mix``: no Tube-TokenMix branch;
* ``sefar_no_elements``: a plain 8-frame student, same strong view and
  losses;
* ``sefar_channel_flip``: the released code's colour flip + channel dropout
  instead of the temporal reversal;
* ``sefar_spatial_strong``: FixMatch's RandAugment as the strong view, no
  temporal perturbation (the paper's "spatial-only" ablation);
* ``sefar_mix_probs``: the mix branch's MSE on probabilities instead of the
  official raw logits (``mix_on='probs'``);
* ``sefar_labeled_only``: the element student on the labels only (the
  supervised warm-up for the whole run), the control of the element model
  next to the quickstart's plain labeled-only row.
* ``sefar_threshold`` / ``sefar_mix_probs_threshold``: a 0.8 confidence
  threshold on top of Ada-Reg (ours; SeFAR has none), with the official and
  the probability mix;
* ``sefar_no_elements_mix_probs``: the plain student with the probability
  mix.

Example::

    python benchmarks/sefar_synthetic.py [--only fixmatch sefar]

Prints a table and ends with one line of ``key=value`` pairs (top-1 % of
the EMA teacher where there is one, as every row reports).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import synthetic_rows  # noqa: E402

S = 'configs/sefar/'
TINY = S + 'sefar_tiny-slowonly_1500it_synthetic-20shot.py'
THRESHOLD = S + 'sefar_tiny-slowonly-threshold_1500it_synthetic-20shot.py'
ROWS = dict(
    **synthetic_rows.CONTROLS,
    sefar=(TINY, []),
    sefar_no_regulation=(TINY, ['model.semi_train_cfg.regulation=None']),
    sefar_no_mix=(TINY, ['model.semi_train_cfg.token_mix=None']),
    sefar_mix_probs=(TINY, ['model.semi_train_cfg.mix_on=probs']),
    sefar_labeled_only=(TINY, [
        'model.semi_train_cfg.unsup_weight.warmup=1500']),
    sefar_no_elements=(S + 'sefar_tiny-slowonly-plain-student_1500it_'
                       'synthetic-20shot.py', []),
    sefar_channel_flip=(S + 'sefar_tiny-slowonly-official-channel-flip_'
                        '1500it_synthetic-20shot.py', []),
    sefar_spatial_strong=(S + 'sefar_tiny-slowonly-spatial-strong_1500it_'
                          'synthetic-20shot.py', []),
    sefar_threshold=(THRESHOLD, []),
    sefar_mix_probs_threshold=(THRESHOLD,
                               ['model.semi_train_cfg.mix_on=probs']),
    sefar_no_elements_mix_probs=(
        S + 'sefar_tiny-slowonly-plain-student_1500it_synthetic-20shot.py',
        ['model.semi_train_cfg.mix_on=probs']))

if __name__ == '__main__':
    synthetic_rows.main(
        __doc__.splitlines()[0], ROWS,
        compare=[('sefar', 'fixmatch')] +
        [(row, 'sefar') for row in ROWS if row.startswith('sefar_')])
