import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Keep TF's C++ log quiet and deterministic ops on, so CPU runs repeat exactly.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The tests never see the machine's Keras cache (~/.keras): whether ImageNet or FID
# Inception weights lie there must not change which backbone a run picks. Tests that
# need installed weights install them into their own KERAS_HOME.
if "MITLGAN_TESTS_KEEP_KERAS_HOME" not in os.environ:
    import tempfile

    os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="mitlgan-tests-keras-home-")
