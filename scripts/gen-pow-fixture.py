#!/usr/bin/env python3
"""Pow fixtures from this machine's glibc, for one of its two pow builds (VARIANT 'fma' or 'nofma'):

  test/fixtures/pow_glibc_VARIANT.bin   (gamma, t, gamma ** t) triples, little-endian float64, as CPython computes
                                        them (float ** int); overflow (OverflowError) written as inf
  test/fixtures/pow_glibc_edges_VARIANT.bin  8,000 such triples at the ends of the kernel's two-lane ranges
  test/fixtures/pow_glibc_VARIANT.json  FNV-1a (32 bit) of the bits of gamma ** t over PAIRS deterministic pairs that
                                        test/pow.test.ts generates again (xorshift32, same seed): a one-ulp change
                                        in any value changes it
  test/fixtures/pow_glibc_tables.json   glibc's own __pow_log_data and __exp_data, read from libm.so.6 (the same
                                        data serves both builds): every constant and table entry of pow, as hex

    /usr/bin/python3 scripts/gen-pow-fixture.py fma test/fixtures
    GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 /usr/bin/python3 scripts/gen-pow-fixture.py nofma test/fixtures
"""
import json, math, os, random, struct, sys

variant, out_dir = sys.argv[1], sys.argv[2]
# 0.85 ** 26 is 0.014618138374376711 with glibc's FMA pow, 0.01461813837437671 with its no-FMA pow
got = 'fma' if repr(0.85 ** 26) == '0.014618138374376711' else 'nofma'
if got != variant:
    sys.exit(f'this python3 runs glibc\'s {got} pow, not {variant} (GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2?)')


def pw(g, t):
    try:
        return g ** t
    except OverflowError:
        return math.inf


# the triples: readable failures
random.seed(20261125)
GAMMAS = [0.99994, 0.99991, 0.99999, 0.95, 0.93, 0.9, 0.85, 0.5, 1.5, 1.25, 1.0001, 0.7, 3.0, 1e-5,
          2.2250738585072014e-308, 5e-324, 1.7976931348623157e308, 0.9999999, 1.0, 0.1]
TS = list(range(1, 400)) + [random.randint(400, 200000) for _ in range(300)] \
     + [random.randint(0, 2**53 - 1) for _ in range(50)] + [random.uniform(-3000, 3000) for _ in range(100)]
with open(os.path.join(out_dir, f'pow_glibc_{variant}.bin'), 'wb') as out:
    for g in GAMMAS:
        for t in TS:
            out.write(struct.pack('<ddd', g, float(t), pw(g, float(t))))

# the edges: (gamma, t, gamma ** t) with t ln(gamma) near the ends of the kernel's two-lane ranges (exp's main
# range +-512, specialcase's normal range -690 and 680) and inside them
random.seed(20261203)
with open(os.path.join(out_dir, f'pow_glibc_edges_{variant}.bin'), 'wb') as out:
    for _ in range(8000):
        k = random.random()
        if k < 0.3:
            g = 1 - random.random() * 10 ** -random.uniform(1, 12)
        elif k < 0.5:
            g = 1 + random.random() * 10 ** -random.uniform(1, 12)
        else:
            g = math.exp(random.uniform(-40, 40))
        band = random.choice([(-520, -505), (505, 520), (-695, -685), (675, 685), (-700, 700)])
        if math.log(g) == 0:
            continue
        t = float(max(1, round(random.uniform(*band) / math.log(g))))
        out.write(struct.pack('<ddd', g, t, pw(g, t)))

# the hash: the generator is test/pow.test.ts hashPairs(), operation for operation
M = 0xFFFFFFFF
state = 20261202


def rnd():
    global state
    s = state
    s ^= (s << 13) & M
    s ^= s >> 17
    s ^= (s << 5) & M
    state = s
    return s


def dbl(hi, lo):
    return struct.unpack('<d', struct.pack('<II', lo & M, hi & M))[0]


def gamma_of(kind):
    if kind == 0:  # [0.5, 2): every table index of log_inline
        return dbl(((0x3FE + (rnd() & 1)) << 20) | (rnd() & 0xFFFFF), rnd())
    if kind == 1:  # just below 1
        return 1.0 - (rnd() & 0xFFFFF) * 2.0 ** -(20 + rnd() % 33)
    if kind == 2:  # just above 1
        return 1.0 + (rnd() & 0xFFFFF) * 2.0 ** -(20 + rnd() % 33)
    return dbl(((0x3FF - 40 + rnd() % 80) << 20) | (rnd() & 0xFFFFF), rnd())  # 2^-40 .. 2^40


def t_of():
    m = rnd() % 54
    if rnd() & 3 == 0:  # near a power of two: exponent boundaries of t
        return float(max(1, 2**m + (rnd() % 5) - 2))
    hi, lo = rnd(), rnd()
    if m <= 32:
        return float(1 + (lo & ((1 << m) - 1)))
    return float(1 + (hi & ((1 << (m - 32)) - 1)) * 4294967296 + lo)


GROUPS, PER = 24576, 128
h = 0x811C9DC5
for k in range(GROUPS):
    g = gamma_of(k % 4)
    for _ in range(PER):
        lo, hi = struct.unpack('<II', struct.pack('<d', pw(g, t_of())))
        h = ((h ^ lo) * 0x01000193) & M
        h = ((h ^ hi) * 0x01000193) & M
with open(os.path.join(out_dir, f'pow_glibc_{variant}.json'), 'w') as out:
    json.dump({'pairs': GROUPS * PER, 'seed': 20261202, 'fnv1a32': f'{h:08x}'}, out, indent=1)
    out.write('\n')

# glibc's data, from the libm this python3 loaded
path = next(line.split()[-1] for line in open('/proc/self/maps') if '/libm.so' in line or '/libm-' in line)
libm = open(path, 'rb').read()
q = lambda at: struct.unpack('<Q', libm[at:at + 8])[0]
hx = lambda v: f'{v:016x}'
# __pow_log_data: ln2hi, ln2lo, poly[7] (A[0] = -0.5), tab[128] of {invc, pad, logc, logctail}
at = libm.find(struct.pack('<QQQ', 0x3FE62E42FEFA3800, 0x3D2EF35793C76730, 0xBFE0000000000000))
assert at >= 0, '__pow_log_data not found'
log = {'ln2hi': hx(q(at)), 'ln2lo': hx(q(at + 8)), 'poly': [hx(q(at + 16 + 8 * i)) for i in range(7)]}
tab = at + 72
for j, name in ((0, 'invc'), (2, 'logc'), (3, 'logctail')):
    log[name] = [hx(q(tab + 32 * i + 8 * j)) for i in range(128)]
# __exp_data: invln2N, negln2hiN, negln2loN, poly[4], shift, exp2_shift, exp2_poly[5], tab[256]
at = libm.find(struct.pack('<QQ', 0x40671547652B82FE, 0xBF762E42FEFA0000))
assert at >= 0, '__exp_data not found'
exp = {'invln2N': hx(q(at)), 'negln2hiN': hx(q(at + 8)), 'negln2loN': hx(q(at + 16)),
       'poly': [hx(q(at + 24 + 8 * i)) for i in range(4)], 'shift': hx(q(at + 56)),
       'tab': [hx(q(at + 112 + 8 * i)) for i in range(256)]}
with open(os.path.join(out_dir, 'pow_glibc_tables.json'), 'w') as out:
    json.dump({'source': 'libm.so.6, ' + os.confstr('CS_GNU_LIBC_VERSION'), 'pow_log_data': log, 'exp_data': exp},
              out, indent=1)
    out.write('\n')
print(variant, len(GAMMAS) * len(TS), 'triples,', GROUPS * PER, 'hashed pairs', f'{h:08x}')
