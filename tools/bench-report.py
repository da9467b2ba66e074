#!/usr/bin/env python3
"""The table and the chart of one `make bench` run (python3's standard library only).

Usage: bench-report.py DIR

Reads DIR/results.txt (RESULT lines of evs-bench and raw-mcast, each after a
"TRIAL kind=.. size=.. senders=.. guarantee=.. host=.." tag) and DIR/header.txt;
writes DIR/bench.md (the header as a list, then one markdown table) and
DIR/bench.svg (MB/s at the receivers by message size, beside raw UDP), and
prints bench.md. Exits 1 if a trial reported an error (loss, order, content,
an incomplete process, or differing delivery orders).
"""
import os
import sys
from collections import defaultdict

SIZE_NAMES = {100: "100 B", 1024: "1 KiB", 10240: "10 KiB", 65536: "64 KiB", 1048576: "1 MiB"}


def size_name(n):
    return SIZE_NAMES.get(n, f"{n} B")


def parse(path):
    trials = defaultdict(list)
    with open(path) as f:
        for line in f:
            tag, _, result = line.partition(" RESULT ")
            t = dict(kv.split("=", 1) for kv in tag.split() if "=" in kv)
            fields = dict(kv.split("=", 1) for kv in result.split() if "=" in kv)
            key = (t["kind"], int(t["size"]), int(t["senders"]), t["guarantee"])
            trials[key].append(fields)
    return trials


def num(f, k):
    return float(f.get(k, 0) or 0)


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def trial_errors(procs, expect=3):
    errs = []
    if len(procs) < expect:
        errs.append(f"{len(procs)} of {expect} processes reported")
    bad = sum(int(num(p, "lost") + num(p, "order_errs") + num(p, "content_errs")) for p in procs)
    if bad:
        errs.append(f"{bad} lost, out of order or corrupt")
    if any(p.get("complete") != "1" for p in procs):
        errs.append("incomplete")
    if len({p.get("digest") for p in procs}) > 1:
        errs.append("delivery orders differ")
    return errs


def fmt_int(x):
    return f"{x:,.0f}"


def flag_errors(procs, label, notes):
    """A trial's errors go to the notes under `label`; the mark for its row."""
    errs = trial_errors(procs)
    if not errs:
        return ""
    notes.append(f"{label}: " + "; ".join(errs))
    return " (!)"


def flood_figures(procs):
    """A flood trial's MB/s and msgs/s at each process (mean), GB moved, CPU s (sum)."""
    return (mean([num(p, "MB_per_s") for p in procs]), mean([num(p, "msgs_per_s") for p in procs]),
            mean([num(p, "bytes") for p in procs]) / 1e9, sum(num(p, "cpu_s") for p in procs))


def main():
    out = sys.argv[1]
    trials = parse(os.path.join(out, "results.txt"))
    header = []
    if os.path.exists(os.path.join(out, "header.txt")):
        header = [l[2:].strip() for l in open(os.path.join(out, "header.txt")) if l.startswith("# ")]

    raw = next((v for k, v in trials.items() if k[0] == "raw"), [])
    raw_recv = [p for p in raw if p.get("mode") == "recv"]
    raw_mb = mean([num(p, "MB_per_s") for p in raw_recv])
    raw_size = next((int(p["size"]) for p in raw_recv), 0)

    rows, notes, failed = [], [], False
    cols = ["size", "senders", "guarantee", "msgs/s", "MB/s", "vs raw UDP",
            "latency p50 / p99 / p99.9 (us)", "CPU s per GB", "idle CPU"]
    chart = defaultdict(dict)  # (senders, guarantee) -> size -> MB/s
    flood = sorted((k for k in trials if k[0] == "flood"), key=lambda k: (k[1], k[2], k[3]))
    for k in flood:
        procs = trials[k]
        _, size, senders, g = k
        mb, msgs, gb, cpu = flood_figures(procs)
        mark = flag_errors(procs, f"{size_name(size)}, {senders} sender(s), {g}", notes)
        failed |= bool(mark)
        chart[(senders, g)][size] = mb
        rows.append([size_name(size), str(senders), g + mark, fmt_int(msgs), f"{mb:.1f}",
                     f"{mb / raw_mb:.2f}" if raw_mb else "", "",
                     f"{cpu / gb:.1f}" if gb > 0 else "", ""])
    for k in sorted(k for k in trials if k[0] == "floodkey"):
        procs = trials[k]
        _, size, senders, g = k
        mb, msgs, gb, cpu = flood_figures(procs)
        mark = flag_errors(procs, f"{size_name(size)}, with a key", notes)
        failed |= bool(mark)
        plain = chart.get((senders, g), {}).get(size)
        vs = f"; {mb / plain:.2f} of no key" if plain else ""
        rows.append([size_name(size), str(senders), f"{g}, with a key (chacha20 + sha1{vs}){mark}", fmt_int(msgs),
                     f"{mb:.1f}", f"{mb / raw_mb:.2f}" if raw_mb else "", "",
                     f"{cpu / gb:.1f}" if gb > 0 else "", ""])
    for k in sorted((k for k in trials if k[0] == "lat"), key=lambda k: k[3]):
        procs = trials[k]
        _, size, senders, g = k
        mark = flag_errors(procs, f"latency {g}", notes)
        failed |= bool(mark)
        rate = max(num(p, "send_msgs_per_s") for p in procs)
        lat = "{:.0f} / {:.0f} / {:.0f}".format(*(max(num(p, q) for p in procs)
                                                   for q in ("lat_p50_us", "lat_p99_us", "lat_p999_us")))
        rows.append([size_name(size), str(senders), g + mark, f"{rate:,.0f} (paced)",
                     f"{mean([num(p, 'MB_per_s') for p in procs]):.1f}", "", lat, "", ""])
    # Raw UDP twice: one datagram per sendmmsg entry (the wire every ratio
    # above is taken against), and the same datagrams handed to the kernel a
    # segmented buffer at a time, as the library sends runs of equal frames
    # (the kernel's best for this size).
    for kind, label in (("raw", "raw UDP multicast"), ("rawseg", "raw UDP multicast, segmented (UDP_SEGMENT)")):
        procs = next((v for k, v in trials.items() if k[0] == kind), [])
        if not procs:
            continue
        recv = [p for p in procs if p.get("mode") == "recv"]
        mb = mean([num(p, "MB_per_s") for p in recv])
        gb = mean([num(p, "bytes") for p in recv]) / 1e9
        cpu = sum(num(p, "cpu_s") for p in procs)
        lost = sum(int(num(p, "lost")) for p in recv)
        if lost:
            notes.append(f"{label}: {lost} datagrams lost at the receivers (no protocol recovers them)")
        rows.append([f"{raw_size} B datagrams", str(len([p for p in procs if p.get("mode") == "send"])), label,
                     fmt_int(mean([num(p, "msgs_per_s") for p in recv])), f"{mb:.1f}",
                     f"{mb / raw_mb:.2f}" if raw_mb else "", "", f"{cpu / gb:.1f}" if gb > 0 else "", ""])
    idle = trials.get(("idle", 0, 0, "none"), [])
    if idle:
        pct = [num(p, "core_pct") for p in idle]
        rows.append(["idle ring", str(len(idle)), "", "", "", "", "", "",
                     f"{max(pct):.2f}% of a core (max of {len(idle)}; mean {mean(pct):.2f}%)"])

    lines = [f"- {h}" for h in header]
    lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    if notes:
        lines += ["", "Errors:"] + [f"- {n}" for n in notes]
    md = "\n".join(lines) + "\n"
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "bench.svg"), "w") as f:
        f.write(svg(chart, raw_mb, raw_size, header))
    sys.stdout.write(md)
    print(f"\nbench: {os.path.join(out, 'bench.md')} and {os.path.join(out, 'bench.svg')}")
    return 1 if failed else 0


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(chart, raw_mb, raw_size, header):
    """MB/s by message size: one line per (senders, guarantee), raw UDP dashed."""
    W, H = 760, 440
    left, right, top, bottom = 70, 220, 50, 60
    pw, ph = W - left - right, H - top - bottom
    sizes = sorted({s for series in chart.values() for s in series})
    ymax = max([raw_mb] + [v for series in chart.values() for v in series.values()] + [1.0])
    # a round top for the axis
    step = 10 ** (len(str(int(ymax))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if ymax <= 5 * m * step:
            step = m * step
            break
    top_v = step * (int(ymax / step) + 1)

    def x(i):
        return left + (pw * (i + 0.5) / len(sizes) if sizes else 0)

    def y(v):
        return top + ph - ph * v / top_v

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="15" font-weight="bold">libevs: MB/s delivered at each receiver, '
         'by message size</text>']
    where = next((h for h in header if h.startswith("network:")), "")
    if where:
        o.append(f'<text x="{left}" y="38" fill="#555">{esc(where)}</text>')
    v = 0.0
    while v <= top_v + 1e-9:
        o.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + pw}" y2="{y(v):.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        v += step
    o.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    o.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>')
    for i, s in enumerate(sizes):
        o.append(f'<text x="{x(i):.1f}" y="{top + ph + 18}" text-anchor="middle">{size_name(s)}</text>')
    o.append(f'<text x="{left + pw / 2}" y="{H - 15}" text-anchor="middle">message size</text>')
    o.append(f'<text transform="translate(18 {top + ph / 2}) rotate(-90)" text-anchor="middle">MB/s '
             '(10^6 bytes of messages per second)</text>')
    legend = []
    if raw_mb:
        o.append(f'<line x1="{left}" y1="{y(raw_mb):.1f}" x2="{left + pw}" y2="{y(raw_mb):.1f}" '
                 'stroke="black" stroke-width="2" stroke-dasharray="6 4"/>')
        legend.append(('stroke="black" stroke-dasharray="6 4"', f"raw UDP multicast ({raw_size} B)"))
    colours = {(1, "agreed"): "#1f77b4", (3, "agreed"): "#ff7f0e", (1, "safe"): "#2ca02c", (3, "safe"): "#d62728"}
    spare = iter(["#9467bd", "#8c564b", "#e377c2", "#7f7f7f"])
    for key in sorted(chart):
        senders, g = key
        colour = colours.get(key) or next(spare, "#000")
        dash = ' stroke-dasharray="2 3"' if g == "safe" else ""
        pts = [(x(sizes.index(s)), y(v)) for s, v in sorted(chart[key].items())]
        o.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="'
                 + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
        for a, b in pts:
            o.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{colour}"/>')
        legend.append((f'stroke="{colour}"{dash}', f"{senders} sender{'s' if senders != 1 else ''}, {g}"))
    for i, (style, label) in enumerate(legend):
        ly = top + 10 + 22 * i
        o.append(f'<line x1="{left + pw + 15}" y1="{ly}" x2="{left + pw + 45}" y2="{ly}" {style} '
                 'stroke-width="2"/>')
        o.append(f'<text x="{left + pw + 52}" y="{ly + 4}">{esc(label)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


if __name__ == "__main__":
    sys.exit(main())
