"""Small layers the thesis models need.

``InstanceNormalization`` replaces ``tensorflow_addons.layers.InstanceNormalization``
(which the thesis used and which does not import under Keras 3). Group
normalisation with one group per channel is exactly instance normalisation.
"""

import keras


@keras.saving.register_keras_serializable(package="mitlgan")
class InstanceNormalization(keras.layers.GroupNormalization):
    """Per-sample, per-channel normalisation with a learnable scale and offset.

    For an input of shape (B, H, W, C), every (sample, channel) plane is shifted to
    zero mean and scaled to unit variance over its H x W positions, then multiplied
    by ``gamma[c]`` and shifted by ``beta[c]`` (2 * C parameters). ``epsilon=1e-3``
    matches tensorflow-addons' default, which the thesis used.

    Args:
        epsilon: added to the variance for numerical safety.
        center: learn an offset ``beta`` per channel.
        scale: learn a scale ``gamma`` per channel.
        **kwargs: passed to ``keras.layers.GroupNormalization`` (``axis`` etc.).
    """

    def __init__(self, epsilon=1e-3, center=True, scale=True, **kwargs):
        kwargs.pop("groups", None)  # fixed: one group per channel is what makes it "instance"
        super().__init__(groups=-1, epsilon=epsilon, center=center, scale=scale, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        return config
