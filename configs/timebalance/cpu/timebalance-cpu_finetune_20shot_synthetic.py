# TimeBalance stage 2: fine-tune a pre-trained encoder (the chain's
# `init_from`, backbone weights) on the 20-per-class labeled list with CE.
# Used for both teachers. Also defines the K-clip pipeline of
# tools/data/temporal_similarity.py (`similarity_dataloader`).
_base_ = ['../../quickstart/labeled-only_tiny-slowonly_1500it_synthetic-20shot.py']

# The labeled-only quickstart recipe as it is (AdamW 1e-3, 1,500 iterations):
# a teacher is then the labeled-only control started from a pre-trained
# encoder instead of from scratch, so the two compare directly. (A 300-
# iteration Adam schedule left both teachers at chance, 12.5 / 18.5 %, and
# made the distillation ablation meaningless.)

# K = 3 clips of 8 consecutive frames from evenly spaced times
similarity_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=1, num_clips=3,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
similarity_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_train,
                 data_prefix=_base_.video_prefix,
                 pipeline=similarity_pipeline, test_mode=True))
