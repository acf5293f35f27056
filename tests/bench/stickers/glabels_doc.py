"""Peer 2 of the sticker benchmark, its input: a gLabels 3 document and its CSV merge source.

Usage: glabels_doc.py N DIR   -> DIR/stickers.glabels and DIR/stickers.csv (N rows: code,url)

The document embeds the L7160 geometry of sticker_job (gLabels' own "Avery 7160" template
is a little off: x0 7.48 mm, y0 15.49 mm), and holds a QR barcode (IEC18004, libqrencode,
whose error correction is fixed at M) bound to the merge field `url`, and text objects for
the headline (bold), the second line and the field `code`. Then
`glabels-3-batch -o OUT.pdf DIR/stickers.glabels` prints one label per CSV row.
"""

import csv
import os
import sys
from xml.sax.saxutils import escape

import sticker_job as job

BLACK = "0x000000ff"  # gLabels colours are RGBA; 0 would be transparent


def _pt(v):
    return f"{v:.3f}pt"


def _box(box):
    x, y, w, h = box
    return f'x="{_pt(x)}" y="{_pt(y)}" w="{_pt(w)}" h="{_pt(h)}"'


def _text(box, size, content, weight="normal", shrink=False):
    return (
        f'    <Object-text {_box(box)} justify="left" valign="top" auto_shrink="{shrink}"'
        f' a0="1" a1="0" a2="0" a3="1" a4="0" a5="0">\n'
        f'      <Span font_family="Sans" font_size="{size:.2f}" font_weight="{weight}"'
        f' font_italic="False" color="{BLACK}" line_spacing="1">{content}</Span>\n'
        f"    </Object-text>\n"
    )


def document(csv_path):
    qx, qy, side, _ = job.QR_BOX
    # gLabels draws the symbol without a quiet zone: inset it by ~4 modules of a 25-29
    # module symbol, so the label keeps a white margin around the code.
    inset = side * job.QUIET / (29 + 2 * job.QUIET)
    qr = (qx + inset, qy + inset, side - 2 * inset, side - 2 * inset)
    return (
        '<?xml version="1.0"?>\n'
        '<Glabels-document xmlns="http://glabels.org/xmlns/3.0/">\n'
        '  <Template brand="Avery" part="L7160-bench" size="A4" description="Mailing labels">\n'
        '    <Meta category="label"/>\n'
        f'    <Label-rectangle id="0" width="{_pt(job.LABEL_W)}" height="{_pt(job.LABEL_H)}"'
        ' round="0pt" x_waste="0pt" y_waste="0pt">\n'
        '      <Markup-margin size="0pt"/>\n'
        f'      <Layout nx="{job.COLS}" ny="{job.ROWS}" x0="{_pt(job.X0)}" y0="{_pt(job.Y0)}"'
        f' dx="{_pt(job.DX)}" dy="{_pt(job.DY)}"/>\n'
        "    </Label-rectangle>\n"
        "  </Template>\n"
        '  <Objects id="0" rotate="False">\n'
        f'    <Object-barcode {_box(qr)} style="IEC18004" backend="libqrencode" text="False"'
        f' checksum="True" color="{BLACK}" field="url" a0="1" a1="0" a2="0" a3="1" a4="0" a5="0"/>\n'
        + _text(job.HEADLINE_BOX, job.HEADLINE_BOX[3] * 0.8, escape(job.HEADLINE), "bold", True)
        + _text(job.SECOND_BOX, job.BODY_SIZE, escape(job.SECOND_LINE))
        + _text(job.CODE_BOX, job.CODE_SIZE, '<Field name="code"/>', "bold")
        + "  </Objects>\n"
        f'  <Merge type="Text/Comma/Line1Keys" src="{escape(csv_path)}"/>\n'
        "</Glabels-document>\n"
    )


def write(n, directory):
    """Writes the CSV (n fresh codes) and the document; returns (doc path, codes)."""
    os.makedirs(directory, exist_ok=True)
    csv_path = os.path.abspath(os.path.join(directory, "stickers.csv"))
    codes = job.random_codes(n)
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "url"])
        w.writerows([c, job.url_for(c)] for c in codes)
    doc_path = os.path.join(directory, "stickers.glabels")
    with open(doc_path, "w") as f:
        f.write(document(csv_path))
    return doc_path, codes


if __name__ == "__main__":
    print(write(int(sys.argv[1]), sys.argv[2])[0])
