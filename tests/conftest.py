import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Keep TF's C++ log quiet and deterministic ops on, so CPU runs repeat exactly.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
