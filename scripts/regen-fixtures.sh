#!/usr/bin/env bash
# Regenerates test/fixtures from real PyTorch: the goldens (glibc's FMA pow and its no-FMA pow) and the pow
# fixture. Needs Debian's python3-torch: `apt-get install -y python3-torch` (root), then Debian's own python3.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures"
PY=/usr/bin/python3
"$PY" -c 'import torch; print("torch", torch.__version__)' || { echo "needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 1; }
NOFMA=glibc.cpu.hwcaps=-FMA,-AVX2
for suite in public pytorch_suite; do
  "$PY" torch_oracle.py "cases_$suite.json" "golden_$suite.json"
  GLIBC_TUNABLES=$NOFMA "$PY" torch_oracle.py "cases_$suite.json" "golden_${suite}_nofma.json"
  "$PY" spec_check.py "golden_$suite.json"
done
GLIBC_TUNABLES=$NOFMA "$PY" ../../scripts/gen-pow-fixture.py nofma .
"$PY" ../../scripts/gen-pow-fixture.py fma .
echo "fixtures regenerated; run npm test"
