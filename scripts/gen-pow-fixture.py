#!/usr/bin/env python3
"""Writes test/fixtures/pow_glibc.bin: (gamma, t, gamma ** t) triples, little-endian float64, as CPython computes
them with glibc's pow. Run it with glibc's no-FMA pow (what the kernel reproduces):
    GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 /usr/bin/python3 scripts/gen-pow-fixture.py test/fixtures/pow_glibc_nofma.bin
Overflow (OverflowError) is written as inf."""
import math, random, struct, sys

random.seed(20261125)
GAMMAS = [0.99994, 0.99991, 0.99999, 0.95, 0.93, 0.9, 0.85, 0.5, 1.5, 1.25, 1.0001, 0.7, 3.0, 1e-5,
          2.2250738585072014e-308, 5e-324, 1.7976931348623157e308, 0.9999999, 1.0, 0.1]
TS = list(range(1, 400)) + [random.randint(400, 200000) for _ in range(300)] \
     + [random.randint(0, 2**53 - 1) for _ in range(50)] + [random.uniform(-3000, 3000) for _ in range(100)]
with open(sys.argv[1], 'wb') as out:
    for g in GAMMAS:
        for t in TS:
            try:
                v = g ** float(t)
            except OverflowError:
                v = math.inf
            out.write(struct.pack('<ddd', g, float(t), v))
print(len(GAMMAS) * len(TS), 'triples')
