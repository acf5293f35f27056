"""The sticker job the benchmark's peers do, shared by them and the driver.

Avery L7160 (A4, 3 x 7 labels of 63.5 x 38.1 mm), the campaign's words, the URL and the
random codes, and one layout that imitates Tablemap's for wide labels: the headline across
the top, the QR code (quiet zone included) on the left, the second line and the printed
code to its right. Lengths are in PDF points; label boxes are given from the label's
top-left corner, y downwards (as gLabels wants; reportlab flips them).
"""

import secrets

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LABEL_W, LABEL_H = 63.5 * MM, 38.1 * MM
X0, Y0 = 7.21 * MM, 15.15 * MM  # first label's top-left, from the page's top-left
DX, DY = 66.04 * MM, 38.1 * MM
COLS, ROWS = 3, 7
PER_PAGE = COLS * ROWS

BASE_URL = "https://mc.org.uk/S"
HEADLINE = "#MigrantsContribute"
SECOND_LINE = "This business is proud to be part of our town"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LEN = 7

# Layout, label-local, from the top-left (like Tablemap's `wide` design with a banner).
PAD = LABEL_H * 0.06
HEADLINE_BOX = (PAD, PAD, LABEL_W - 2 * PAD, LABEL_H * 0.2)  # x, y, w, h
QR_SIDE = LABEL_H - 2 * PAD - LABEL_H * 0.2 - PAD * 0.4
QR_BOX = (PAD, LABEL_H - PAD - QR_SIDE, QR_SIDE, QR_SIDE)  # quiet zone included
TEXT_X = PAD + QR_SIDE + PAD * 0.6
TEXT_W = LABEL_W - TEXT_X - PAD
CODE_SIZE = 10.0
CODE_BOX = (TEXT_X, LABEL_H - PAD - CODE_SIZE * 1.2, TEXT_W, CODE_SIZE * 1.2)
SECOND_BOX = (TEXT_X, QR_BOX[1], TEXT_W, CODE_BOX[1] - QR_BOX[1] - PAD * 0.3)
BODY_SIZE = 8.0
QUIET = 4  # modules


def label_origin(index):
    """Top-left of label `index` (0-based, on its page), from the page's top-left."""
    i = index % PER_PAGE
    return X0 + (i % COLS) * DX, Y0 + (i // COLS) * DY


def random_codes(n):
    """`n` distinct random codes of CODE_LEN Crockford base32 characters."""
    seen, codes = set(), []
    while len(codes) < n:
        code = "".join(secrets.choice(CROCKFORD) for _ in range(CODE_LEN))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def url_for(code):
    return f"{BASE_URL}/{code}"
