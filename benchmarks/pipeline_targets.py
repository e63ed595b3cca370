#!/usr/bin/python3
"""Does the pipeline's synthetic dataset reach its targets? One run of acne-pipeline, then its report.

Runs `acne-pipeline --preset P --out DIR [its flags]` (a folder that holds a finished run is read
again, not retrained: the pipeline continues from what is on disk), times it, reads DIR/report.json
and checks the preset's targets (time only when the folder held no finished run):
  cpu:  synthetic-only accuracy >= 0.70, >= 0.80 x the real baseline, class fidelity >= 0.80 for
        every class, at most 20 minutes of work;
  gpu:  synthetic-only accuracy >= 0.90 x the real baseline, at most 30 minutes of work.
It prints a Markdown section (the command, the machine, the table, each target MET or NOT MET),
appends it to --markdown when given, and exits 0 whether or not a target is met (the figures are the
result; 1 only when a program fails).

One classifier's accuracy on 200 test faces moves by several hundredths with its seed alone.
--classifier-seeds N trains the real baseline and the synthetic-only classifier again with N more
seeds (the run's seed + 1 to + N), with the run's recipe (report.json's `classifier`, each
classifier's made_with.json) on the run's folders, by `acne-classify train` and `evaluate`, into
DIR/classifier-seeds/SET-SEED (a finished one is read again); the accuracy targets are then judged on
the means over the N + 1 seeds, and every seed's figure is listed.

  benchmarks/pipeline_targets.py [--build build] [--preset cpu] [--out DIR] [--markdown FILE]
                                 [--classifier-seeds N] [-- acne-pipeline flags]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

TARGETS = {
    "cpu": [("synthetic-only accuracy", lambda r: r["synthetic"], ">=", 0.70),
            ("synthetic-only / real baseline", lambda r: r["ratio"], ">=", 0.80),
            ("worst class fidelity", lambda r: r["worst_fidelity"], ">=", 0.80),
            ("minutes of work", lambda r: r["wall"] / 60, "<=", 20)],
    "gpu": [("synthetic-only / real baseline", lambda r: r["ratio"], ">=", 0.90),
            ("minutes of work", lambda r: r["wall"] / 60, "<=", 30)],
}


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def figures(report):
    e = report["evaluation"]
    return {
        "baseline": e["real_baseline"]["accuracy"],
        "synthetic": e["synthetic_only"]["accuracy"],
        "ratio": e["synthetic_only"].get("ratio_to_baseline", 0.0),
        "both": e["real_and_synthetic"]["accuracy"],
        "fidelity": e["class_fidelity"]["per_class"],
        "worst_fidelity": e["class_fidelity"]["worst"],
        "judge_on_real": e["class_fidelity"].get("real_test_faces_per_class", {}),
        "seconds": report["seconds"],
    }


def seed_accuracies(a, report, training_set, own):
    """The accuracy of `training_set`'s classifier at the run's seed (`own`) and at --classifier-seeds more."""
    c = report["classifier"]
    with open(os.path.join(a.out, "classifier", training_set, "made_with.json")) as f:
        spec = json.load(f)["spec"]
    if spec["image_size"] != report["resolution"]:
        print(f"note: acne-classify resizes the {report['resolution']} px faces to {spec['image_size']} px with "
              "nearest neighbours, the pipeline with area averaging", file=sys.stderr)
    programs = os.path.join(a.build, "apps", "acne-classify")
    accuracies = [own]
    for seed in range(report["seed"] + 1, report["seed"] + 1 + a.classifier_seeds):
        run = os.path.join(a.out, "classifier-seeds", f"{training_set}-{seed}")
        evaluation = os.path.join(run, "evaluation", "evaluation.json")
        if not os.path.exists(evaluation):
            train = [programs, "train", "--data", c["folders"][training_set], "--model", spec["architecture"],
                     "--width-multiplier", str(spec["width"]), "--blocks", ",".join(map(str, spec["blocks"])),
                     "--size", str(spec["image_size"]), "--lr", str(c["learning_rate"]),
                     "--epochs", str(c["epochs"][training_set]), "--patience", str(c.get("patience", 0)),
                     "--seed", str(seed), "--out", run, "--device", report["device"]]
            test = [programs, "evaluate", "--checkpoint", os.path.join(run, "best.safetensors"), "--data",
                    c["folders"]["test"], "--out", os.path.dirname(evaluation), "--device", report["device"]]
            for cmd in (train, test):
                print(" ".join(cmd), flush=True)
                if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode != 0:
                    raise RuntimeError(f"failed: {' '.join(cmd)}")
        with open(evaluation) as f:
            accuracies.append(json.load(f)["accuracy"])
    return accuracies


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--preset", default="cpu", choices=["cpu", "gpu", "paper"])
    parser.add_argument("--out", default="out/pipeline-targets")
    parser.add_argument("--markdown", help="append the section to this file")
    parser.add_argument("--classifier-seeds", type=int, default=0,
                        help="train the baseline and synthetic-only classifiers with this many more seeds")
    parser.add_argument("flags", nargs="*", help="more acne-pipeline flags, after --")
    a = parser.parse_args()

    cmd = [os.path.join(a.build, "apps", "acne-pipeline"), "--preset", a.preset, "--out", a.out] + a.flags
    # Time is a target only when this call did all the work.
    fresh = not os.path.exists(os.path.join(a.out, "report.json"))
    start = time.monotonic()
    done = subprocess.run(cmd)
    wall = time.monotonic() - start
    if done.returncode != 0:
        print(f"acne-pipeline failed with exit code {done.returncode}", file=sys.stderr)
        return 1
    with open(os.path.join(a.out, "report.json")) as f:
        report = json.load(f)
    r = figures(report)
    r["wall"] = wall
    seeds = []
    if a.classifier_seeds > 0:
        try:
            runs = {s: seed_accuracies(a, report, s, r[k]) for s, k in (("real", "baseline"), ("synthetic", "synthetic"))}
        except RuntimeError as e:
            print(e, file=sys.stderr)
            return 1
        r["baseline"], r["synthetic"] = (sum(runs[s]) / len(runs[s]) for s in ("real", "synthetic"))
        r["ratio"] = r["synthetic"] / r["baseline"] if r["baseline"] else 0.0
        seeds = ["", f"Means over {a.classifier_seeds + 1} classifier seeds ({report['seed']} to "
                 f"{report['seed'] + a.classifier_seeds}; the first is the run's own): "
                 + "; ".join(f"{name} " + ", ".join(f"{v:.3f}" for v in runs[s]) + f" (range {min(runs[s]):.3f} to {max(runs[s]):.3f})"
                             for s, name in (("real", "real baseline"), ("synthetic", "synthetic only")))
                 + ". Real + synthetic is the run's own seed only."]

    mean = f", mean of {a.classifier_seeds + 1} seeds" if seeds else ""
    lines = [f"### {a.preset} preset, {datetime.date.today().isoformat()}", "",
             f"`{' '.join(cmd)}` on {os.cpu_count()} cores of {cpu_name()}, "
             + (f"{wall:.0f} s wall from an empty folder ({r['seconds']:.0f} s of work as report.json counts it)."
                if fresh else "read again from a finished folder (its time is not measured by this call)."), "",
             "| training set | accuracy | / baseline |", "|---|---|---|",
             f"| real (baseline){mean} | {r['baseline']:.4f} | 1.00 |",
             f"| synthetic only{mean} | {r['synthetic']:.4f} | {r['ratio']:.2f} |",
             f"| real + synthetic | {r['both']:.4f} | {r['both'] / r['baseline'] if r['baseline'] else 0:.2f} |"] + seeds + ["",
             "Class fidelity: " + ", ".join(f"{k} {v:.2f}" for k, v in r["fidelity"].items()) + "; the same "
             "classifier on the real test faces: " + ", ".join(f"{k} {v:.2f}" for k, v in r["judge_on_real"].items()) + ".", "",
             "| target | reached | verdict |", "|---|---|---|"]
    for name, value, op, bound in TARGETS.get(a.preset, []):
        if name == "minutes of work" and not fresh:
            lines.append(f"| {name} {op} {bound} | - | not measured (rerun) |")
            continue
        v = value(r)
        met = v >= bound if op == ">=" else v <= bound
        lines.append(f"| {name} {op} {bound} | {v:.2f} | {'MET' if met else 'NOT MET'} |")
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    if a.markdown:
        with open(a.markdown, "a") as f:
            f.write("\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
