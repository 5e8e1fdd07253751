# The official SCD-Net encoder (cong-wu/SCD-Net, options_pretraining.py):
# two CTR-GCN stacks 3 -> 64 -> 256 -> 64, 2048-d tokens, 8 heads, one
# post-norm Transformer layer per clue branch, 64 frames, 2 persons, the
# 2s-AGCN NTU graph. Downstream feature [v_t; v_s]: 4096-d.
encoder = dict(type='SCDNetEncoder',
               graph_cfg=dict(layout='nturgb+d_agcn', mode='spatial'),
               in_channels=3,
               num_person=2,
               num_frames=64,
               base_channels=64,
               d_model=2048,
               num_heads=8,
               num_layers=1,
               dropout=0.1)
