"""Document 003's ablation verdicts from hand-made per-variant summaries (FD mean, sd)."""

from reproductions.mnist_gans.claims import ablation_claims

VARIANTS = ("base", "d_dropout_0.3", "d_dropout_0.4", "d_dropout_0.5", "sgd_d", "data_0_1",
            "g_batchnorm", "uniform_noise", "fixed_128", "conv_8_16_32", "conv_16_32_64",
            "conv_8_16_32_long", "epochs_50", "epochs_100", "epochs_300")


def _more_epochs(**fds):
    """(verdict, numbers) of the epochs claim; every variant not given is at FD 300 ± 10."""
    summary = {name: {"feature_fd": fds.get(name, (300.0, 10.0)), "seconds_per_epoch": (1.0, 0.0)}
               for name in VARIANTS}
    claim, verdict, numbers = ablation_claims(summary)[7]
    assert claim.startswith("More epochs help at first")
    return verdict, numbers


def test_more_epochs_counts_only_differences_beyond_the_seed_spread():
    # the two runs of one command that disagreed: means 4 FD apart at 100 and 300 epochs
    published = dict(base=(319.1, 35.5), epochs_50=(260.3, 26.0), epochs_100=(228.7, 39.3),
                     epochs_300=(223.2, 40.0))
    rerun = dict(base=(301.1, 54.5), epochs_50=(276.5, 20.0), epochs_100=(206.3, 34.3),
                 epochs_300=(214.6, 30.0))
    # 319.1 - 228.7 = 90.4 > 35.5 + 39.3 = 74.8: 100 epochs help; 223.2 vs 228.7 is noise
    assert _more_epochs(**published)[0] == "supported"
    assert _more_epochs(**rerun)[0] == "supported"  # 94.8 > 88.8; 300 is no better
    assert "319.1 ± 35.5 / 260.3 ± 26.0 / 228.7 ± 39.3 / 223.2 ± 40.0" in _more_epochs(**published)[1]


def test_more_epochs_fails_when_300_epochs_still_help_or_nothing_is_beyond_the_spread():
    still_helping = dict(base=(300.0, 5.0), epochs_50=(250.0, 5.0), epochs_100=(200.0, 5.0),
                         epochs_300=(150.0, 5.0))  # 200 - 150 = 50 > 5 + 5
    verdict, numbers = _more_epochs(**still_helping)
    assert verdict == "not supported" and "300 epochs beat" in numbers
    noise = dict(base=(300.0, 40.0), epochs_50=(280.0, 40.0), epochs_100=(240.0, 30.0))
    assert _more_epochs(**noise)[0] == "not supported (within the spread between seeds)"
    worse = dict(epochs_50=(400.0, 10.0), epochs_100=(380.0, 10.0))  # both beyond 10 + 10
    assert _more_epochs(**worse)[0] == "not supported"
