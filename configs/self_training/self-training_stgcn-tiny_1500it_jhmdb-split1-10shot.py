# Self-training from a frozen labeled-only teacher on JHMDB-2D split 1, 10 labels
# per class (README.md here): the quickstart FixMatch whose pseudo-labels come
# from the labeled-only model of the same split, which never changes, instead
# of from the student itself. Needs that model's checkpoint; the chain
# ./self-training_chain_jhmdb-split1-10shot.py trains it and passes it:
#   model.teachers.labeled.checkpoint  the frozen teacher (required)
#   load_from                          the student's start (the chain: the
#                                      same labeled-only checkpoint)
_base_ = '../quickstart/fixmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py'

model = dict(
    teacher=None,
    teachers=dict(
        # the quickstart's EMA teacher: validated and exported as before
        teacher=_base_.model.teacher,
        labeled=dict(type='FrozenTeacher', checkpoint=None)),
    semi_train_cfg=dict(pseudo_label_source='labeled'))
