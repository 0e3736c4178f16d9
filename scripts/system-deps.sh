#!/usr/bin/env bash
# The system packages some tests need (Debian/Ubuntu names), installed when this user may:
#   fonts-dejavu-core                      the ingestion tests write Vietnamese PDFs with DejaVu Sans
#   chromium                               tests/test_browser.py (Playwright drives Debian's Chromium)
#   postgresql                             tests/test_feedback_postgres.py (a real server per run)
#   ocrmypdf tesseract-ocr-vie/-eng        the OCR tests in tests/test_more_documents.py
#
# `scripts/system-deps.sh`          (what `make test` runs): installs what is missing when running
#                                   as root with apt-get; otherwise prints one line saying which
#                                   tests will skip and the command that installs their needs.
# `scripts/system-deps.sh --require` (`make system-deps`): installs, or fails saying why.
# Under CI (CI=true) a failed install fails the run.
set -uo pipefail

require=0
[ "${1:-}" = "--require" ] && require=1

missing=()      # Debian packages to install
skipping=()     # the tests that skip without them
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
    || { missing+=(fonts-dejavu-core); skipping+=("PDF ingestion (fonts-dejavu-core)"); }
[ -x /usr/bin/chromium ] \
    || { missing+=(chromium); skipping+=("browser (chromium)"); }
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null \
    || { missing+=(postgresql); skipping+=("PostgreSQL feedback (postgresql)"); }
{ command -v ocrmypdf > /dev/null && tesseract --list-langs 2> /dev/null | grep -qx vie \
    && tesseract --list-langs 2> /dev/null | grep -qx eng; } \
    || { missing+=(ocrmypdf tesseract-ocr-vie tesseract-ocr-eng); skipping+=("OCR (ocrmypdf, tesseract-ocr-vie)"); }

[ ${#missing[@]} -eq 0 ] && exit 0

note() {
    local tests
    tests=$(printf '%s, ' "${skipping[@]}")
    echo "note: the ${tests%, } tests will skip; to run them: sudo make system-deps" \
         "(apt-get install ${missing[*]})" >&2
}

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
    if [ $require -eq 1 ]; then
        echo "error: installing ${missing[*]} needs root and apt-get: sudo make system-deps" >&2
        exit 1
    fi
    note
    exit 0
fi

echo "Installing the system packages the tests need: ${missing[*]}" >&2
apt() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq "$@"; }
if apt update && apt install --no-install-recommends "${missing[@]}" < /dev/null; then
    exit 0
fi
echo "error: apt-get could not install ${missing[*]}" >&2
if [ $require -eq 1 ] || [ -n "${CI:-}" ]; then
    exit 1
fi
note
exit 0
