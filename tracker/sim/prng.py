"""A small, fast, seedable random source for generating the world.

``random.Random`` costs about 8 µs to seed (it initialises a 2.5 KB Mersenne Twister state),
which dominated the cost of generating a post when every post and account seeds its own
generator. :class:`SplitRandom` is a splitmix64 counter: seeding is one assignment and a draw is
a few integer operations, with the subset of the ``random.Random`` interface the world uses.
Statistical quality is ample for synthetic data; it is not for cryptography.
"""

from __future__ import annotations

import math
import random
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TO_UNIT = 1.0 / (1 << 53)
_TWO_PI = 2.0 * math.pi


class SplitRandom:
    """splitmix64 with ``random()``, ``randrange``, ``choice``, ``gauss``... (see module doc)."""

    __slots__ = ("_spare", "_state")

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK64
        self._spare: float | None = None

    def _next(self) -> int:
        z = self._state = (self._state + _GOLDEN) & _MASK64
        z = ((z ^ (z >> 30)) * _M1) & _MASK64
        z = ((z ^ (z >> 27)) * _M2) & _MASK64
        return z ^ (z >> 31)

    def random(self) -> float:
        # _next() inlined: this is the hot path of world generation.
        z = self._state = (self._state + _GOLDEN) & _MASK64
        z = ((z ^ (z >> 30)) * _M1) & _MASK64
        z = ((z ^ (z >> 27)) * _M2) & _MASK64
        return ((z ^ (z >> 31)) >> 11) * _TO_UNIT

    def randrange(self, start: int, stop: int | None = None) -> int:
        if stop is None:
            start, stop = 0, start
        width = stop - start
        if width <= 0:
            raise ValueError("empty range for randrange()")
        return start + self._next() % width

    def randint(self, a: int, b: int) -> int:
        return self.randrange(a, b + 1)

    def choice(self, seq: Sequence[T]) -> T:
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[self._next() % len(seq)]

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """Box-Muller; the second normal of each pair is kept for the next call."""
        z = self._spare
        if z is None:
            radius = math.sqrt(-2.0 * math.log(1.0 - self.random()))  # (0, 1]: log finite
            angle = _TWO_PI * self.random()
            z, self._spare = radius * math.cos(angle), radius * math.sin(angle)
        else:
            self._spare = None
        return mu + sigma * z

    def betavariate(self, alpha: int, beta: int) -> float:
        """Beta for integer shape parameters, as an order statistic of uniforms."""
        draws = sorted(self.random() for _ in range(alpha + beta - 1))
        return draws[alpha - 1]

    def shuffle(self, x: MutableSequence[T]) -> None:
        for i in range(len(x) - 1, 0, -1):
            j = self._next() % (i + 1)
            x[i], x[j] = x[j], x[i]

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        pool = list(population)
        if not 0 <= k <= len(pool):
            raise ValueError("sample larger than population")
        for i in range(k):
            j = i + self._next() % (len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


Rand = SplitRandom | random.Random
"""What the world's generators accept: the fast source, or the standard one in tests."""
