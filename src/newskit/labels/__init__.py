"""Stage 3, labels (offline): schema, labeling config, annotators, snapshots, agreement, adjudication.

Nothing here talks to a server; :mod:`newskit.studio` owns every Label Studio call.
"""
