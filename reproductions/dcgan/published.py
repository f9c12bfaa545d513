"""What the papers published for a DCGAN on Stacked MNIST, and how our protocol differs:
data the benchmark's stages and its report both read."""

# Read from PacGAN's published tables (Lin et al. 2018), as the authors post them in
# github.com/fjxmlzn/PacGAN, stacked_MNIST_experiments/results/Table2.png and Table3.png.
PUBLISHED_DCGAN = (
    ("DCGAN, VEEGAN's setting (as quoted in PacGAN Table 2)", "99.0", "3.40"),
    ("DCGAN, PacGAN's run of that setting (Table 2, 10 trials)", "78.9 ± 6.46", "4.50 ± 0.127"),
    ("DCGAN, Unrolled GAN's setting, D 1/4 the size of G (Table 3)", "30.6 ± 20.73",
     "5.99 ± 0.42"),
    ("DCGAN, Unrolled GAN's setting, D 1/2 the size of G (Table 3)", "628.0 ± 140.9",
     "2.58 ± 0.75"),
)
PROTOCOL_DIFFERENCES = (
    "Images are 32x32 (the 28x28 stacks padded by 2 pixels a side, cropped back before "
    "counting); the papers' carpedm20 DCGAN works at 28x28 from a 2x2 map.",
    "Stacks are drawn from the training digits this run loaded (the judge line names "
    "them; offline, the 8,000 embedded ones); the papers drew from all 70,000.",
    "A mode is counted from the judge's argmax however unsure it is (as in the papers): "
    "blurry samples that look like no digit still land in some mode, so read the count "
    "with the sample grid.",
    "The judge is mitlgan's MNIST CNN (accuracy above), not the Keras mnist_cnn example "
    "the papers used; its errors move modes, which the real-data row measures.",
    "One generator update per discriminator update; carpedm20's code (and PacGAN's) "
    "makes two.",
    "z ~ N(0, I) rather than U(-1, 1).",
    "One run (one seed); the papers report means over 10 (Table 2) or 50 (Table 3) runs.",
    "The budget (epochs x images) is this run's, given in the table; the papers train "
    "50 epochs of 128,000 stacks.",
)
