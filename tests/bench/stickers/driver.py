"""Sticker-sheet benchmark: Tablemap against two peers doing the same job, in one run.

The job: N unique stickers on Avery L7160 (A4, 3 x 7 labels), each with a vector QR code
for https://mc.org.uk/S/<7 Crockford base32 characters>, the bold headline
"#MigrantsContribute", the line "This business is proud to be part of our town" and the
code in print; error correction M and Q.

Generators, each run as a child process:
  tablemap   `tablemap --db <fresh sqlite> stickers print --template avery-l7160 ...`
             (makes its own codes and records the batch in the database: part of its job)
  reportlab  peer_reportlab.py (reportlab canvas + segno, in a venv this script makes)
  glabels    glabels-3-batch on a document + CSV from glabels_doc.py (written before the
             clock starts); libqrencode's level is fixed at M, so it runs for M only

Measured per (generator, level, N), median of --runs runs: wall seconds around the child
(time.perf_counter from Popen to os.wait4), its peak resident memory (wait4's ru_maxrss,
KiB on Linux), its CPU seconds (user + system; Tablemap uses every core, the peers one),
and the PDF's bytes per sticker. Once per generator the first label of
page 1 is rendered at 300 dpi, cropped and decoded with zbarimg, and page 1 is checked for
raster images (the QR codes must be vector).

Usage: python3 tests/bench/stickers/driver.py [--sizes 1000,10000] [--runs 3] [--keep]
Environment: TABLEMAP=path to the tablemap binary (default target/release, else debug).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import glabels_doc  # noqa: E402
import sticker_job as job  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
VENV = "/tmp/tablemap-bench-venv"
DPI = 300


def say(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------- finding the generators


def find_tablemap():
    path = os.environ.get("TABLEMAP")
    if not path:
        path = os.path.join(REPO, "target", "release", "tablemap")
        if not os.path.exists(path):
            path = os.path.join(REPO, "target", "debug", "tablemap")
    if not os.access(path, os.X_OK):
        say(f"MISSING tablemap: no binary at {path} (build it, or set TABLEMAP); skipping it")
        return None
    probe = subprocess.run([path, "stickers", "print", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        say(f"MISSING tablemap: {path} has no `stickers print` ({probe.stderr.strip()}); skipping it")
        return None
    return path


def find_venv_python():
    """A Python with reportlab and segno: the reused venv, or a new one made here."""
    py = os.path.join(VENV, "bin", "python")
    check = [py, "-c", "import reportlab, segno"]
    if os.path.exists(py) and subprocess.run(check, capture_output=True).returncode == 0:
        return py
    say(f"making a venv with reportlab and segno in {VENV} ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "reportlab", "segno"], check=True)
        subprocess.run(check, check=True)
        return py
    except (subprocess.CalledProcessError, OSError) as e:
        say(f"MISSING reportlab peer: could not install reportlab + segno ({e}); skipping it")
        return None


def find_glabels(tmp):
    """The command prefix for glabels-3-batch, under xvfb-run if it wants a display."""
    exe = shutil.which("glabels-3-batch")
    if not exe:
        say("MISSING glabels peer: glabels-3-batch is not installed (apt-get install glabels); skipping it")
        return None
    doc, _ = glabels_doc.write(1, os.path.join(tmp, "probe"))
    out = os.path.join(tmp, "probe.pdf")
    for prefix in ([], ["xvfb-run", "-a"]):
        if prefix and not shutil.which("xvfb-run"):
            break
        r = subprocess.run(prefix + [exe, "-o", out, doc], capture_output=True, text=True)
        if r.returncode == 0 and os.path.exists(out) and os.path.getsize(out) > 0:
            return prefix + [exe]
        say(f"glabels-3-batch {'under xvfb-run ' if prefix else ''}failed: {r.stderr.strip()[-300:]}")
    say("MISSING glabels peer: glabels-3-batch does not work here; skipping it")
    return None


# ---------------------------------------------------------------- running and measuring


def measure(cmd, workdir):
    """(seconds, CPU seconds, peak KiB, exit code) of `cmd` as a child; output goes to files."""
    with open(os.path.join(workdir, "stdout"), "wb") as so, open(os.path.join(workdir, "stderr"), "wb") as se:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, p.returncode


def command(gen, tools, n, level, workdir, out):
    """The command line for one run; glabels' document is prepared here, off the clock."""
    if gen == "tablemap":
        db = os.path.join(workdir, "tablemap.sqlite")
        return [tools["tablemap"], "--db", db, "stickers", "print", "--template", "avery-l7160",
                "--count", str(n), "--ec", level, "--url", job.BASE_URL, "--out", out]
    if gen == "reportlab":
        return [tools["reportlab"], os.path.join(HERE, "peer_reportlab.py"), str(n), level, out]
    doc, _ = glabels_doc.write(n, os.path.join(workdir, "doc"))
    return tools["glabels"] + ["-o", out, doc]


def tail(path, chars=600):
    with open(path, errors="replace") as f:
        return f.read()[-chars:].strip()


# ---------------------------------------------------------------- correctness spot check


def spot_check(gen, pdf, workdir):
    """Decodes the first label of page 1 and checks page 1 has no raster images."""
    px = lambda pt: round(pt / 72 * DPI)  # noqa: E731
    box = ["-x", str(px(job.X0)), "-y", str(px(job.Y0)), "-W", str(px(job.LABEL_W)), "-H", str(px(job.LABEL_H))]
    prefix = os.path.join(workdir, "label")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", *box, "-png", pdf, prefix], check=True)
    png = next(os.path.join(workdir, f) for f in sorted(os.listdir(workdir)) if f.startswith("label") and f.endswith(".png"))
    z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
    decoded = z.stdout.strip()
    good_url = decoded.upper().startswith(job.BASE_URL.upper() + "/")
    code = decoded.rsplit("/", 1)[-1] if good_url else ""
    good_code = len(code) == job.CODE_LEN and all(c in job.CROCKFORD for c in code)
    text = subprocess.run(["pdftotext", "-r", str(DPI), "-f", "1", "-l", "1", *box, pdf, "-"],
                          capture_output=True, text=True).stdout
    images = subprocess.run(["pdfimages", "-f", "1", "-l", "1", "-list", pdf], capture_output=True, text=True).stdout
    n_images = max(0, len(images.strip().splitlines()) - 2)
    ok = good_url and good_code
    say(f"  spot check {gen:9}: QR {'DECODED' if ok else 'NOT DECODED'} {decoded!r}; "
        f"code in text layer: {'yes' if code and code in text else 'no'}; "
        f"headline in text layer: {'yes' if job.HEADLINE in text else 'no'}; raster images on page 1: {n_images}")
    return ok


# ---------------------------------------------------------------- report


def report(rows, slow):
    say(f"\nResults (median of runs; peak = child's max RSS; CPU = user + system; {os.cpu_count()} cores)")
    head = (f"{'generator':10} {'level':5} {'N':>6} {'runs':>4} {'seconds':>9} {'stickers/s':>11} "
            f"{'bytes/sticker':>13} {'peak MiB':>9} {'CPU s':>8}")
    say(head)
    say("-" * len(head))
    order = ("tablemap", "reportlab", "glabels")
    for (gen, level, n), r in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], order.index(kv[0][0]))):
        note = "  (1 run: first run took longer than the slow limit)" if (gen, level, n) in slow else ""
        say(f"{gen:10} {level:5} {n:6d} {r['runs']:4d} {r['seconds']:9.3f} {n / r['seconds']:11.0f} "
            f"{r['bytes'] / n:13.1f} {r['peak_kib'] / 1024:9.1f} {r['cpu']:8.2f}{note}")

    say("\nRatios (peer / tablemap; above 1 = tablemap faster or smaller)")
    for n, level in sorted({(k[2], k[1]) for k in rows}):
        base = rows.get(("tablemap", level, n))
        if not base:
            say(f"  N={n} {level}: no tablemap figures")
            continue
        parts = []
        for peer in ("reportlab", "glabels"):
            r = rows.get((peer, level, n))
            if r:
                parts.append(f"{peer} seconds x{r['seconds'] / base['seconds']:.2f}, "
                             f"bytes/sticker x{r['bytes'] / base['bytes']:.2f}, "
                             f"peak MiB x{r['peak_kib'] / base['peak_kib']:.2f}")
            else:
                parts.append(f"{peer} n/a" + (" (glabels: level M only)" if peer == "glabels" and level != "M" else ""))
        say(f"  N={n:<6d} {level}: " + "; ".join(parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--levels", default="M,Q")
    ap.add_argument("--slow-limit", type=float, default=180.0,
                    help="seconds; a generator whose first run is slower gets only that run")
    ap.add_argument("--keep", action="store_true", help="keep the PDFs and the temp folder")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    levels = [s.strip().upper() for s in args.levels.split(",")]

    tmp = tempfile.mkdtemp(prefix="tablemap-stickers-bench-")
    tools = {"tablemap": find_tablemap(), "reportlab": find_venv_python(), "glabels": find_glabels(tmp)}
    gens = [g for g in ("tablemap", "reportlab", "glabels") if tools[g]]
    if tools["tablemap"]:
        built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(tools["tablemap"])))
        say(f"tablemap:  {tools['tablemap']} (built {built})")
    if tools["reportlab"]:
        v = subprocess.run([tools["reportlab"], "-c", "import reportlab, segno; from reportlab import rl_config; "
                            "print(reportlab.Version, segno.__version__, rl_config.pageCompression)"],
                           capture_output=True, text=True).stdout.split()
        say(f"reportlab: {v[0]}, segno {v[1]}, page compression {'on' if v[2] == '1' else 'off'} (reportlab default)")
    if tools["glabels"]:
        say(f"glabels:   {' '.join(tools['glabels'])} (QR level fixed at M; document + CSV written off the clock)")
    say(f"work dir:  {tmp}\n")

    rows, slow, checked = {}, set(), set()
    for n in sizes:
        for level in levels:
            for gen in gens:
                if gen == "glabels" and level != "M":
                    continue
                times, cpus, peaks, sizes_b = [], [], [], []
                for run in range(args.runs):
                    workdir = os.path.join(tmp, f"{gen}-{level}-{n}-{run}")
                    os.makedirs(workdir)
                    out = os.path.join(workdir, "out.pdf")
                    cmd = command(gen, tools, n, level, workdir, out)
                    seconds, cpu, peak, rc = measure(cmd, workdir)
                    if rc != 0 or not os.path.exists(out):
                        say(f"FAILED {gen} {level} N={n} run {run + 1}: exit {rc}\n"
                            f"  stderr: {tail(os.path.join(workdir, 'stderr'))}")
                        break
                    times.append(seconds)
                    cpus.append(cpu)
                    peaks.append(peak)
                    sizes_b.append(os.path.getsize(out))
                    say(f"{gen:9} {level} N={n:<6d} run {run + 1}: {seconds:8.3f} s (CPU {cpu:7.2f} s), "
                        f"{sizes_b[-1]:>11,d} bytes, peak {peak / 1024:7.1f} MiB")
                    if gen not in checked:
                        checked.add(gen)
                        spot_check(gen, out, workdir)
                        if gen == "tablemap":
                            say(f"  tablemap says: {tail(os.path.join(workdir, 'stdout')).splitlines()[0]}")
                    if not args.keep:
                        os.remove(out)
                    if run == 0 and seconds > args.slow_limit and args.runs > 1:
                        say(f"  {gen} took {seconds:.0f} s > {args.slow_limit:.0f} s: one run only for this size")
                        slow.add((gen, level, n))
                        break
                if times:
                    rows[(gen, level, n)] = {"runs": len(times), "seconds": statistics.median(times),
                                             "cpu": statistics.median(cpus),
                                             "peak_kib": statistics.median(peaks), "bytes": statistics.median(sizes_b)}
    report(rows, slow)
    if args.keep:
        say(f"\nkept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
