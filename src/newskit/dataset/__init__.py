"""Stage 4, dataset: build the Hugging Face dataset folder and publish it.

Split assignment by article, parquet files, the dataset card.
"""
