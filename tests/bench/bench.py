#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmarks of the store, side by side with plain SQLite, as one table.

    tests/bench/bench.py --build-dir _build [--runs 5] [--app] [--quick]

A synthetic team store (100,000 clients, 1,000,000 contacts over 36 months,
20,000 of the clients expired; `vindplaats-admin demo-store --clients ...`)
is made once and kept in BUILD/bench-cache, keyed by its size, seed and day,
together with a plain copy that SQLCipher exports from it. Each benchmark
then runs in processes of its own: bench-plain (the app's data layer
compiled against Debian's libsqlite3, on the plain copy) and bench-store
(the same code on SQLCipher, on the store), alternating which goes first,
--runs times each. A run that changes the store (retention) gets fresh
copies. The table shows medians with the range (min-max) over the runs and
the ratio store/plain of the medians (for throughput, plain/store, so that a
ratio above 1 is always the store's cost). Goals are printed beside the
figures and never asserted: timings decide nothing.

Team sync (#16): bench-team-sync copies the store, starts the real endpoint
with its relay over TLS on 127.0.0.1, turns the copy into a team leader's
laptop, pushes everything, enrols a new empty laptop and times its first
sync; it runs once (a run at full scale takes many minutes) and its figures
get a block of their own under the table. It needs the endpoint
(meson setup -Dendpoint=enabled); without it the block says so.

--app also runs tests/bench/bench-app.py (the app started beside
gnome-text-editor) on a copy of the store and puts its figures in the table.
--quick (the smoke test, tests/bench/meson.build) makes a tiny store, runs
each benchmark once with a few iterations, and fails only when a program
fails or a figure is missing.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# A demo store's passphrase; the store holds synthetic data only.
PASSPHRASE = "bench demo store, synthetic data only"
SEED = 20261129

FULL = {"clients": 100_000, "contacts": 1_000_000, "months": 36, "expired": 20_000}
QUICK = {"clients": 300, "contacts": 3_000, "months": 36, "expired": 60}

# Each benchmark and the figures both sides must print.
BENCHMARKS = [
    ("save", ["save_p50_ms", "save_p95_ms"]),
    ("search", ["search_p50_ms", "search_p95_ms", "keystroke_p50_ms", "keystroke_p95_ms",
                "search_matches_mean"]),
    ("client-page", ["client_page_p50_ms", "client_page_p95_ms", "client_page_contacts_mean"]),
    ("scroll", ["client_list_open_ms", "scroll_page_p50_ms", "scroll_page_p95_ms", "clients"]),
    ("report", ["report_ms"]),
    ("aggregate", ["aggregate_ms", "aggregate_rows"]),
    ("retention", ["retention_s", "retention_erased"]),
    ("backup", ["backup_s", "backup_mb_per_s", "restore_s", "restore_mb_per_s", "store_mb"]),
]
STORE_ONLY = [("unlock", ["unlock_s", "scrypt_s"])]
TEAM_FIGURES = ["store_mb", "enable_s", "changes", "change_body_mb", "leader_store_mb", "push_s", "blobs",
                "relay_mb", "first_sync_s", "first_sync_blobs", "first_sync_mb", "first_sync_changes",
                "joiner_store_mb", "clients", "contacts", "referrals"]

# The table: label, figure, unit, goal (value, lower is better).
ROWS = [
    ("Saving a first contact, p50 (fsync'd)", "save_p50_ms", "ms", None),
    ("Saving a first contact, p95 (fsync'd)", "save_p95_ms", "ms", 15),
    ("Search as you type, p50 per keystroke", "search_p50_ms", "ms", None),
    ("Search as you type, p95 per keystroke", "search_p95_ms", "ms", 16),
    ("… with the page's audit entry per search, p95", "keystroke_p95_ms", "ms", None),
    ("Client page with 50 contacts, p95", "client_page_p95_ms", "ms", 50),
    ("Client list: all ids, newest first", "client_list_open_ms", "ms", None),
    ("Client list: one page of 100 rows, p95", "scroll_page_p95_ms", "ms", None),
    ("Month report with disclosure control", "report_ms", "ms", 100),
    ("Month aggregation query alone", "aggregate_ms", "ms", None),
    ("Retention: erasing the expired clients", "retention_s", "s", None),
    ("Backup of the whole store", "backup_mb_per_s", "MB/s", None),
    ("Restore (opening it included)", "restore_mb_per_s", "MB/s", None),
    ("Unlock: scrypt, open, checks, audit entry", "unlock_s", "s", 0.8),
    ("… of which scrypt", "scrypt_s", "s", None),
]
RATIO_GOAL = 1.25
RATIO_AIM = 1.1
# Settings that may differ between the two sides.
VERSION_KEYS = {"library"}


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


def run(cmd, stdin=None):
    """Runs one program; returns its figures, settings and libraries."""
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        raise Failure(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
    figures, settings, libraries = {}, {}, []
    for line in proc.stdout.splitlines():
        words = line.split(None, 2)
        if len(words) == 3 and words[0] == "figure":
            figures[words[1]] = float(words[2])
        elif len(words) == 3 and words[0] == "setting":
            settings[words[1]] = words[2]
        elif len(words) >= 2 and words[0] == "library":
            libraries.append(" ".join(words[1:]))
    return {"figures": figures, "settings": settings, "libraries": libraries, "stdout": proc.stdout}


def copy_store(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


def copy_file(src, dst):
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.unlink(dst + suffix)


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.size = QUICK if args.quick else FULL
        self.admin = os.path.join(self.build, "app", "vindplaats-admin")
        self.store_bin = os.path.join(self.build, "tests", "bench", "bench-store")
        self.plain_bin = os.path.join(self.build, "tests", "bench", "bench-plain")
        self.team_bin = os.path.join(self.build, "tests", "bench", "bench-team-sync")
        self.endpoint = os.path.join(self.build, "sync", "endpoint", "vindplaats-endpoint")
        for program in (self.admin, self.store_bin, self.plain_bin, self.team_bin):
            if not os.access(program, os.X_OK):
                raise Failure(f"{program} is not built (meson compile -C {args.build_dir})")
        self.results = {}      # benchmark -> side -> [run outputs]
        self.settings = {}     # side -> settings
        self.libraries = {}    # side -> library versions
        self.info = {}
        self.team = None       # bench-team-sync's figures, or why there are none

    # The store, made once a day for a given size and seed.
    def cached_store(self):
        s = self.size
        day = datetime.date.today().isoformat()
        size = f"c{s['clients']}-n{s['contacts']}-m{s['months']}-e{s['expired']}-"
        key = f"{size}s{SEED}-{day}-{source_hash()}"
        root = os.path.join(self.build, "bench-cache")
        cache = os.path.join(root, key)
        if os.path.exists(os.path.join(cache, "info.json")):
            with open(os.path.join(cache, "info.json"), encoding="utf-8") as f:
                self.info = json.load(f)
            log(f"using the store made {self.info['made']} in {cache}")
            return cache
        os.makedirs(root, exist_ok=True)
        for name in os.listdir(root):  # this size made another day
            if name.startswith(size):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        part = cache + ".part"
        shutil.rmtree(part, ignore_errors=True)
        os.makedirs(part)
        log(f"making a store of {s['clients']:,} clients and {s['contacts']:,} contacts (once a day)")
        start = time.monotonic()
        proc = subprocess.run([self.admin, "demo-store", "--dir", os.path.join(part, "store"),
                               "--clients", str(s["clients"]), "--contacts", str(s["contacts"]),
                               "--months", str(s["months"]), "--expired", str(s["expired"]),
                               "--seed", str(SEED)],
                              input=PASSPHRASE + "\n", capture_output=True, text=True)
        if proc.returncode != 0:
            raise Failure(f"vindplaats-admin demo-store failed:\n{proc.stderr}")
        made_s = time.monotonic() - start
        run([self.store_bin, "export", "--store", os.path.join(part, "store"),
             "--out", os.path.join(part, "plain.db")], PASSPHRASE + "\n")
        self.info = {"made": datetime.datetime.now().isoformat(timespec="seconds"), "made_s": made_s,
                     "admin": proc.stdout.strip().splitlines()[-1], **s, "seed": SEED}
        with open(os.path.join(part, "info.json"), "w", encoding="utf-8") as f:
            json.dump(self.info, f, indent=2)
        os.rename(part, cache)
        log(f"made in {made_s:.1f} s: {self.info['admin']}")
        return cache

    def side(self, side, name, work, fresh_from=None):
        """One run of one benchmark on one side, in a process of its own."""
        quick = ["--quick"] if self.args.quick else []
        if self.args.cache_kib:
            quick += ["--cache-kib", str(self.args.cache_kib)]
        store, plain = os.path.join(work, "store"), os.path.join(work, "plain.db")
        if fresh_from is not None:  # this run changes the store: a copy of the cache
            store, plain = os.path.join(work, "fresh-store"), os.path.join(work, "fresh-plain.db")
            if side == "store":
                copy_store(os.path.join(fresh_from, "store"), store)
            else:
                copy_file(os.path.join(fresh_from, "plain.db"), plain)
        out = os.path.join(work, "out")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        os.sync()  # nothing of the copies left to write during the run
        if side == "store":
            result = run([self.store_bin, name, "--store", store, "--out", out] + quick, PASSPHRASE + "\n")
        else:
            result = run([self.plain_bin, name, "--db", plain, "--out", out] + quick)
        shutil.rmtree(out, ignore_errors=True)
        if result["settings"]:
            self.settings.setdefault(side, result["settings"])
        if result["libraries"]:
            self.libraries.setdefault(side, result["libraries"])
        return result

    def benchmark(self, name, figures, sides, work, cache):
        fresh = cache if name == "retention" else None
        self.results[name] = {side: [] for side in sides}
        for r in range(self.args.runs):
            order = sides if r % 2 == 0 else list(reversed(sides))
            for side in order:
                start = time.monotonic()
                result = self.side(side, name, work, fresh)
                missing = [f for f in figures if f not in result["figures"]]
                if missing:
                    raise Failure(f"{name} on the {side} side printed no {', '.join(missing)}:\n"
                                  f"{result['stdout']}")
                self.results[name][side].append(result["figures"])
                log(f"{name} run {r + 1}/{self.args.runs}, {side}: {time.monotonic() - start:.1f} s")

    def check_same_settings(self):
        plain, store = self.settings.get("plain", {}), self.settings.get("store", {})
        if not plain:  # --only benchmarks of the store alone
            return
        differing = {k: (plain.get(k), store.get(k)) for k in set(plain) | set(store)
                     if plain.get(k) != store.get(k)}
        if not store or differing:
            raise Failure(f"plain and store do not run with the same settings: {differing}")

    def check_retention(self):
        for side, runs in self.results["retention"].items():
            erased = {int(r["retention_erased"]) for r in runs}
            if erased != {self.size["expired"]}:
                raise Failure(f"retention on the {side} side erased {erased}, not {self.size['expired']}")

    def run_all(self):
        cache = self.cached_store()
        work = tempfile.mkdtemp(prefix="bench-work-", dir=os.path.join(self.build, "bench-cache"))
        try:
            copy_store(os.path.join(cache, "store"), os.path.join(work, "store"))
            copy_file(os.path.join(cache, "plain.db"), os.path.join(work, "plain.db"))
            only = self.args.only.split(",") if self.args.only else None
            for name, figures in BENCHMARKS:
                if only is None or name in only:
                    self.benchmark(name, figures, ["plain", "store"], work, cache)
            for name, figures in STORE_ONLY:
                if only is None or name in only:
                    self.benchmark(name, figures, ["store"], work, cache)
            self.check_same_settings()
            if "retention" in self.results:
                self.check_retention()
            if only is None or "team-sync" in only:
                self.run_team_sync(cache, work)
            app = self.run_app(cache, work) if self.args.app else None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return app

    # ---- Team sync: the first sync of a new laptop (bench-team-sync) ----
    def run_team_sync(self, cache, work):
        if not os.access(self.endpoint, os.X_OK):
            self.team = "the endpoint is not built (meson setup -Dendpoint=enabled), so there is no relay"
            log(f"team sync skipped: {self.team}")
            return
        team_work = os.path.join(work, "team-sync")
        shutil.rmtree(team_work, ignore_errors=True)
        os.makedirs(team_work)
        os.sync()
        log("team sync: the leader turns it on and pushes, a new laptop enrols and syncs (one run)")
        start = time.monotonic()
        try:
            result = run([self.team_bin, "--store", os.path.join(cache, "store"), "--endpoint", self.endpoint,
                          "--work", team_work] + (["--quick"] if self.args.quick else []), PASSPHRASE + "\n")
        finally:
            shutil.rmtree(team_work, ignore_errors=True)
        missing = [f for f in TEAM_FIGURES if f not in result["figures"]]
        if missing:
            raise Failure(f"bench-team-sync printed no {', '.join(missing)}:\n{result['stdout']}")
        self.team = result["figures"]
        log(f"team sync: {time.monotonic() - start:.1f} s")

    def print_team(self, out):
        print("\n### Team sync, first sync of a new laptop\n", file=out)
        if not isinstance(self.team, dict):
            print(f"Not run: {self.team or 'not asked for (--only)'}.", file=out)
            return
        t = self.team
        print(f"One run of `bench-team-sync` on a copy of the store above ({t['clients']:,.0f} clients, "
              f"{t['contacts']:,.0f} contacts, {t['referrals']:,.0f} referrals), through the real relay over "
              f"TLS on 127.0.0.1. The new laptop ends with the very same rows as the leader's (every synced "
              f"column of every record, compared). Timings decide nothing.\n", file=out)
        print("| Figure | Value |", file=out)
        print("| --- | --- |", file=out)
        print(f"| New laptop's first sync: start of its first round → every change applied "
              f"| {fmt(t['first_sync_s'], 's')} s |", file=out)
        print(f"| … relay bytes it downloaded | {t['first_sync_mb']:,.1f} MB in {t['first_sync_blobs']:,.0f} blobs "
              f"({t['first_sync_changes']:,.0f} changes) |", file=out)
        print(f"| Leader turns team sync on (every record becomes changes) | {fmt(t['enable_s'], 's')} s "
              f"({t['changes']:,.0f} changes, {t['change_body_mb']:,.0f} MB of change bodies) |", file=out)
        print(f"| Leader's first push | {fmt(t['push_s'], 's')} s ({t['blobs']:,.0f} blobs, "
              f"{t['relay_mb']:,.1f} MB on the relay) |", file=out)
        print(f"| Store size: leader before → after, new laptop after | {t['store_mb']:,.0f} MB → "
              f"{t['leader_store_mb']:,.0f} MB, {t['joiner_store_mb']:,.0f} MB (write-ahead log included) |",
              file=out)

    # ---- The app beside gnome-text-editor (tests/bench/bench-app.py) ----
    def run_app(self, cache, work):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-app.py")
        if not os.path.exists(script):
            log("tests/bench/bench-app.py is not there: the app start-up figures are skipped")
            return None
        store = os.path.join(work, "app-store")
        copy_store(os.path.join(cache, "store"), store)
        secret = os.path.join(work, "passphrase")
        with open(os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(PASSPHRASE + "\n")
        figures = os.path.join(work, "app.json")
        log("the app beside gnome-text-editor (tests/bench/bench-app.py)")
        proc = subprocess.run([sys.executable, script, "--builddir", self.build, "--store", store,
                               "--passphrase-file", secret, "--runs", str(self.args.runs), "--json", figures],
                              stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0 or not os.path.exists(figures):
            raise Failure(f"bench-app.py failed ({proc.returncode}):\n{proc.stdout}")
        with open(figures, encoding="utf-8") as f:
            return {"figures": json.load(f), "table": proc.stdout}

    # ---- The table ----
    def summary(self, name, side, figure):
        runs = self.results.get(name, {}).get(side)
        if not runs:
            return None
        values = [r[figure] for r in runs]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    def find(self, figure, side):
        for name, runs in self.results.items():
            if side in runs and runs[side] and figure in runs[side][0]:
                return self.summary(name, side, figure)
        return None

    def print_table(self, app, out=sys.stdout):
        s, info = self.size, self.info

        def median(figure, side="store", form="{:.0f}"):
            found = self.find(figure, side)
            return form.format(found["median"]) if found else "?"

        print(f"Store: {s['clients']:,} clients, {s['contacts']:,} contacts over {s['months']} months "
              f"({s['expired']:,} clients expired), {median('store_mb')} MB encrypted, "
              f"{median('store_mb', 'plain')} MB plain; made in {info.get('made_s', 0):.0f} s "
              f"(`vindplaats-admin demo-store --clients {s['clients']} --contacts {s['contacts']} "
              f"--months {s['months']} --expired {s['expired']} --seed {SEED}`).", file=out)
        cache = f"; page cache {self.args.cache_kib} KiB on both sides" if self.args.cache_kib else ""
        print(f"Plain: {', '.join(self.libraries.get('plain', []))}; store: "
              f"{', '.join(self.libraries.get('store', []))}; same pragmas on both sides "
              f"({', '.join(f'{k}={v}' for k, v in sorted(self.settings.get('store', {}).items()))}){cache}. "
              f"Medians of {self.args.runs} run{'s' if self.args.runs > 1 else ''} (min–max), "
              f"each run a process of its own, plain and store alternating. The month report "
              f"covers {median('aggregate_rows')} contacts and referrals; the client pages have "
              f"{median('client_page_contacts_mean')} contacts on average; a keystroke matches "
              f"{median('search_matches_mean')} clients on average.\n", file=out)
        print("| Figure | Plain SQLite / baseline | Vindplaats | Ratio | Goal |", file=out)
        print("| --- | --- | --- | --- | --- |", file=out)
        for label, figure, unit, goal in ROWS:
            plain, store = self.find(figure, "plain"), self.find(figure, "store")
            ratio = None
            if plain and store and plain["median"] > 0 and store["median"] > 0:
                ratio = (plain["median"] / store["median"] if unit == "MB/s"
                         else store["median"] / plain["median"])
            print(f"| {label} | {cell(plain, unit)} | {cell(store, unit)} | {ratio_cell(ratio)} "
                  f"| {goal_cell(store, goal, unit)} |", file=out)
        if app is not None:
            app_rows(app["figures"], out)
        print(f"\nRatio: store time / plain time (for MB/s, plain / store); goal ≤ {RATIO_GOAL} "
              f"(aim ≤ {RATIO_AIM}). Goals are never asserted.", file=out)
        self.print_team(out)


def source_hash():
    """What makes the store: the generator and the schema (a new migration
    or a changed generator makes a new store)."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    digest = hashlib.sha256()
    for name in ("vp-synthetic.c", "vp-schema.c"):
        with open(os.path.join(top, "data", name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:10]


def fmt(value, unit):
    if unit == "ms":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if unit == "s":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return f"{value:.0f}"


def cell(summary, unit):
    if summary is None:
        return "—"
    return (f"{fmt(summary['median'], unit)} {unit} "
            f"({fmt(summary['min'], unit)}–{fmt(summary['max'], unit)})")


def ratio_cell(ratio):
    if ratio is None:
        return "—"
    verdict = "met" if ratio <= RATIO_GOAL else "missed"
    # Three decimals where two would round onto the goal.
    digits = 3 if round(ratio, 2) == RATIO_GOAL else 2
    return f"{ratio:.{digits}f} ({verdict})"


def goal_cell(summary, goal, unit):
    if goal is None:
        return "—"
    verdict = "met" if summary is not None and summary["median"] <= goal else "missed"
    return f"≤ {fmt(goal, unit)} {unit} ({verdict})"


def app_rows(figures, out):
    """Rows of bench-app.py's figures (its --json output), if they are there."""
    app, editor = figures.get("vindplaats", {}), figures.get("gnome-text-editor", {})
    ratios, goals = figures.get("ratios", {}), figures.get("goals", {})

    def seconds(s):
        if not s:
            return "—"
        return f"{s['median'] * 1000:.0f} ms ({s['min'] * 1000:.0f}–{s['max'] * 1000:.0f})"

    def mib(s):
        if not s:
            return "—"
        return f"{s['median'] / 1024:.0f} MiB ({s['min'] / 1024:.0f}–{s['max'] / 1024:.0f})"

    def ratio(key):
        value = ratios.get(key)
        if value is None:
            return "—"
        goal = goals.get(key)
        return f"{value:.2f}" + (f" (goal ≤ {goal}: {'met' if value <= goal else 'missed'})" if goal else "")

    print(f"| App: start → window drawn (baseline: gnome-text-editor) | {seconds(editor.get('window_s'))} "
          f"| {seconds(app.get('window_s'))} | {ratio('window')} | ≤ 1.0 × gnome-text-editor |", file=out)
    print(f"| App: Enter on the passphrase → first page drawn | — | {seconds(app.get('enter_first_frame_s'))} "
          f"| — | — |", file=out)
    print(f"| App: RSS after unlock (baseline: gnome-text-editor) | {mib(editor.get('rss_kib'))} "
          f"| {mib(app.get('rss_kib'))} | {ratio('rss')} | ≤ 1.2 × gnome-text-editor |", file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--runs", type=int, default=None, help="runs of each benchmark (default 5)")
    parser.add_argument("--app", action="store_true", help="also the app beside gnome-text-editor")
    parser.add_argument("--quick", action="store_true", help="a tiny store, one run: the smoke test")
    parser.add_argument("--output", help="also write the table to this file")
    parser.add_argument("--only", help="only these benchmarks (comma-separated; team-sync is one), for finding out what bounds one")
    parser.add_argument("--cache-kib", type=int, default=0,
                        help="SQLite's page cache on both sides instead of the store's, for the same purpose")
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    try:
        bench = Bench(args)
        app = bench.run_all()
    except Failure as failure:
        print(f"bench: {failure}", file=sys.stderr)
        return 1
    print()
    bench.print_table(app)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            bench.print_table(app, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
