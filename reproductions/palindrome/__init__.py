"""Document 002's Part 1: an LSTM from its equations against a vanilla RNN on palindromes."""

from reproductions.palindrome.run import reproduce

__all__ = ["reproduce"]
