"""Peer 1 of the sticker benchmark: the sticker sheet drawn with reportlab's canvas and segno.

Usage: peer_reportlab.py N LEVEL OUT.pdf   (LEVEL: L, M, Q or H)

For each of N random codes: segno makes the QR code (no micro QR, no boosted level), its
dark modules are merged into horizontal runs per row and drawn as one filled vector path
(one rectangle per run, quiet zone of 4 modules), then the headline in Helvetica-Bold, the
second line in Helvetica and the code. reportlab's defaults otherwise: page compression is
whatever rl_config.pageCompression says (printed to stderr).
"""

import sys

import segno
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab import rl_config

import sticker_job as job


def qr_runs(matrix):
    """(x, y, width) of each run of dark modules, row by row."""
    runs = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return runs


def main():
    n, level, out = int(sys.argv[1]), sys.argv[2].upper(), sys.argv[3]
    codes = job.random_codes(n)
    c = canvas.Canvas(out, pagesize=(job.PAGE_W, job.PAGE_H))
    print(f"reportlab pageCompression={rl_config.pageCompression}", file=sys.stderr)

    # The words are the same on every sticker: fit them once.
    hx, hy, hw, hh = job.HEADLINE_BOX
    head_size = min(hh * 0.8, hw / stringWidth(job.HEADLINE, "Helvetica-Bold", 1))
    sx, sy, sw, sh = job.SECOND_BOX
    second = simpleSplit(job.SECOND_LINE, "Helvetica", job.BODY_SIZE, sw)
    qx, qy, side, _ = job.QR_BOX
    cx, cy, _, ch = job.CODE_BOX

    for i, code in enumerate(codes):
        if i and i % job.PER_PAGE == 0:
            c.showPage()
        left, top = job.label_origin(i)
        # Label-local, y up from the label's bottom-left.
        c.saveState()
        c.translate(left, job.PAGE_H - top - job.LABEL_H)

        qr = segno.make(job.url_for(code), error=level.lower(), micro=False, boost_error=False)
        matrix = qr.matrix
        size = len(matrix)
        m = side / (size + 2 * job.QUIET)
        ox = qx + job.QUIET * m
        oy_top = job.LABEL_H - qy - job.QUIET * m  # top edge of the symbol, y up
        path = c.beginPath()
        for x, y, w in qr_runs(matrix):
            path.rect(ox + x * m, oy_top - (y + 1) * m, w * m, m)
        c.drawPath(path, fill=1, stroke=0)

        c.setFont("Helvetica-Bold", head_size)
        c.drawString(hx, job.LABEL_H - hy - hh * 0.8, job.HEADLINE)
        c.setFont("Helvetica", job.BODY_SIZE)
        for k, line in enumerate(second):
            c.drawString(sx, job.LABEL_H - sy - (k + 1) * job.BODY_SIZE * 1.2, line)
        c.setFont("Helvetica-Bold", job.CODE_SIZE)
        c.drawString(cx, job.LABEL_H - cy - ch + job.CODE_SIZE * 0.25, code)
        c.restoreState()
    c.showPage()
    c.save()


if __name__ == "__main__":
    main()
