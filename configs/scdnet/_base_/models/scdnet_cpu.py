# A CPU-sized SCD-Net encoder (about 0.4 M parameters instead of 75 M):
# GCN width 16 (3 -> 16 -> 64 -> 16 channels), 128-d tokens, 4 heads, one
# Transformer layer per clue branch. The data bases under ../datasets/cpu_*
# give the dataset-specific part as `encoder_overrides` (graph, persons,
# channels, frames).
encoder = dict(type='SCDNetEncoder',
               graph_cfg=dict(layout='kinect_v1', mode='spatial'),
               in_channels=3,
               num_person=1,
               num_frames=32,
               base_channels=16,
               d_model=128,
               num_heads=4,
               num_layers=1,
               dropout=0.1)
