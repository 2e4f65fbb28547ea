#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up, unlock and memory of Vindplaats beside gnome-text-editor.

    tests/bench/bench-app.py --builddir _build --store DIR --passphrase-file FILE [--runs 5]

Both programs run in one Xvfb (1366x768x24, black root) with the cairo
renderer and the same environment: GDK_BACKEND=x11, GSK_RENDERER=cairo,
GSETTINGS_BACKEND=memory, NO_AT_BRIDGE=1, GTK_A11Y=none, the caller's locale,
a private session bus for the whole run, and a fresh HOME and XDG folders
for every start. Runs alternate (Vindplaats first in the first, third and
fifth rounds, gnome-text-editor in the others) after one start of each that is not
counted (page cache, fontconfig, and the store's daily work on unlock:
retention and due reports, so that the counted runs are a coach's ordinary
morning unlock). Medians and the range are printed; timings never decide
anything, the goals are printed, not asserted.

What is measured, and how:

* Start -> window drawn, for both programs alike: from just before the
  process is started to the first moment its toplevel window (found by
  _NET_WM_PID) is viewable and holds more than one colour. The script
  listens to the X server itself (ctypes on libX11 and libXdamage: MapNotify
  on the root window, DamageNotify on each new toplevel) and grabs the window
  (XGetImage) after each event; the time is taken when the event is read.
  Resolution: one grab (a few ms for a 1000x720 window), since an event
  that comes in while the previous one's grab runs is read after it. An
  empty window shows the server's black root or its own background, one
  colour, so it does not count.
* Vindplaats also writes its own marks when VP_BENCH_MARKS names a file
  (ui/vp-bench-marks.c): "window" after the first frame is painted, "main"
  after the first frame once unlocked, and "main-shown" after the first
  frame once the page's cross-fade is over. They carry CLOCK_MONOTONIC
  microseconds, the clock of time.monotonic(). The "window" mark is printed
  beside the screen figure in every run, as a check of both (they agree
  within 1-20 ms here).
* Enter -> first page drawn (Vindplaats only): the passphrase is typed with
  xdotool, then Enter is pressed through XTEST; the time is taken just
  before the key press is flushed to the server. The end is the "main" mark
  (unlock, the page's data, retention, first frame) and "main-shown" (the
  200 ms cross-fade done). --validate adds one run that also grabs the
  window after every damage event to find the same two moments on screen:
  the first grab in which a third of the rows changed (the cross-fade's
  first frames change less, so this comes a frame or a few later), and the
  first that matches the settled page but for 5% of its rows (the cursor).
* Quiet: at least 2 s after the window (or the unlocked page) is drawn, the
  first moment from which the process used under 5% of a CPU for a whole
  second (utime + stime of all its threads from /proc/PID/stat, 10 ms
  ticks, sampled every 100 ms; a blinking text cursor costs about 3%).
  After an unlock this includes the reports of closed months, which are
  built in a worker.
* RSS: VmRSS and VmHWM (peak) from /proc/PID/status when quiet: after start
  (gnome-text-editor; Vindplaats still locked) and after the unlock
  (Vindplaats). The goal compares the last.

Output: a markdown table on standard output; --json prints the figures as
JSON instead, --json FILE writes them to FILE as well as the table.
Screenshots of one run of each program go to the build directory
(bench-app-*.png).
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCREEN = "1366x768x24"
SETTLE_S = 2.0         # at least this long after a window or page is drawn, before RSS is read
QUIET_WINDOW_S = 1.0   # ... and until the process used under QUIET_SHARE of a CPU for this long
QUIET_SHARE = 0.05     # a blinking text cursor costs both programs about 3%
QUIET_TIMEOUT_S = 300.0
TIMEOUT_S = 600.0      # for a window or page (--timeout): a new store's first unlock may erase thousands

# X11 event types and constants (X.h)
CREATE_NOTIFY = 16
DESTROY_NOTIFY = 17
MAP_NOTIFY = 19
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
IS_VIEWABLE = 2
Z_PIXMAP = 2
ALL_PLANES = 0xFFFFFFFF
XA_CARDINAL = 6
XK_RETURN = 0xFF0D
DAMAGE_REPORT_RAW_RECTANGLES = 0


class XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int),
        ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long), ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p),
    ]


class XImage(ctypes.Structure):
    # Only the leading fields are read.
    _fields_ = [
        ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int), ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


class XEvent(ctypes.Structure):
    # The XEvent union is 24 longs; the fields read here sit at fixed offsets
    # on LP64: type at 0, and the window at long 5 (MapNotify, CreateNotify,
    # DestroyNotify) or the drawable at long 4 (DamageNotify).
    _fields_ = [("longs", ctypes.c_long * 24)]

    @property
    def type(self):
        return ctypes.c_int.from_buffer(self).value

    def long_at(self, index):
        return ctypes.c_ulong(self.longs[index]).value


ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class Display:
    """The little of Xlib, XDamage and XTEST this benchmark needs."""

    def __init__(self, name):
        x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        damage = ctypes.CDLL(ctypes.util.find_library("Xdamage") or "libXdamage.so.1")
        xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
        vp, ul, i = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
        for lib, fname, res, args in [
            (x11, "XOpenDisplay", vp, [ctypes.c_char_p]),
            (x11, "XCloseDisplay", i, [vp]),
            (x11, "XDefaultRootWindow", ul, [vp]),
            (x11, "XConnectionNumber", i, [vp]),
            (x11, "XSelectInput", i, [vp, ul, ctypes.c_long]),
            (x11, "XPending", i, [vp]),
            (x11, "XNextEvent", i, [vp, ctypes.POINTER(XEvent)]),
            (x11, "XFlush", i, [vp]),
            (x11, "XSync", i, [vp, i]),
            (x11, "XInternAtom", ul, [vp, ctypes.c_char_p, i]),
            (x11, "XGetWindowProperty", i,
             [vp, ul, ul, ctypes.c_long, ctypes.c_long, i, ul,
              ctypes.POINTER(ul), ctypes.POINTER(i), ctypes.POINTER(ul),
              ctypes.POINTER(ul), ctypes.POINTER(vp)]),
            (x11, "XGetWindowAttributes", i, [vp, ul, ctypes.POINTER(XWindowAttributes)]),
            (x11, "XGetImage", ctypes.POINTER(XImage),
             [vp, ul, i, i, ctypes.c_uint, ctypes.c_uint, ul, i]),
            (x11, "XDestroyImage", i, [ctypes.POINTER(XImage)]),
            (x11, "XFree", i, [vp]),
            (x11, "XSetErrorHandler", vp, [ERROR_HANDLER]),
            (x11, "XKeysymToKeycode", ctypes.c_ubyte, [vp, ul]),
            (damage, "XDamageQueryExtension", i, [vp, ctypes.POINTER(i), ctypes.POINTER(i)]),
            (damage, "XDamageCreate", ul, [vp, ul, i]),
            (damage, "XDamageDestroy", None, [vp, ul]),
            (xtst, "XTestFakeKeyEvent", i, [vp, ctypes.c_uint, i, ul]),
        ]:
            func = getattr(lib, fname)
            func.restype, func.argtypes = res, args
        self.x11, self.damage, self.xtst = x11, damage, xtst
        # A window that goes away between an event and a request must not
        # end the benchmark: Xlib's default handler would exit.
        self._on_error = ERROR_HANDLER(lambda dpy, err: 0)
        x11.XSetErrorHandler(self._on_error)
        self.dpy = x11.XOpenDisplay(name.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open display {name}")
        self.root = x11.XDefaultRootWindow(self.dpy)
        self.fd = x11.XConnectionNumber(self.dpy)
        base, err = ctypes.c_int(), ctypes.c_int()
        if not damage.XDamageQueryExtension(self.dpy, ctypes.byref(base), ctypes.byref(err)):
            raise RuntimeError("the X server has no DAMAGE extension")
        self.damage_notify = base.value
        self.net_wm_pid = x11.XInternAtom(self.dpy, b"_NET_WM_PID", 0)
        x11.XSelectInput(self.dpy, self.root, SUBSTRUCTURE_NOTIFY_MASK)
        x11.XSync(self.dpy, 0)
        self.damages = {}

    def close(self):
        self.x11.XCloseDisplay(self.dpy)

    def events(self, timeout):
        """Waits up to TIMEOUT seconds; yields (kind, window, time)."""
        if not self.x11.XPending(self.dpy):
            select.select([self.fd], [], [], max(0.0, timeout))
        event = XEvent()
        while self.x11.XPending(self.dpy):
            self.x11.XNextEvent(self.dpy, ctypes.byref(event))
            now = time.monotonic()
            kind = event.type
            if kind == CREATE_NOTIFY:
                window = event.long_at(5)
                # Watch every new toplevel from its creation on, so that no
                # frame is missed; only the program's own windows count.
                self.damages[window] = self.damage.XDamageCreate(
                    self.dpy, window, DAMAGE_REPORT_RAW_RECTANGLES)
                yield "create", window, now
            elif kind == DESTROY_NOTIFY:
                window = event.long_at(5)
                self.damages.pop(window, None)
                yield "destroy", window, now
            elif kind == MAP_NOTIFY:
                yield "map", event.long_at(5), now
            elif kind == self.damage_notify:
                yield "damage", event.long_at(4), now

    def stop_watching(self, window):
        damage = self.damages.pop(window, None)
        if damage:
            self.damage.XDamageDestroy(self.dpy, damage)
            self.x11.XFlush(self.dpy)

    def pid_of(self, window):
        actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
        nitems, after, prop = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self.x11.XGetWindowProperty(
            self.dpy, window, self.net_wm_pid, 0, 1, 0, XA_CARDINAL,
            ctypes.byref(actual_type), ctypes.byref(actual_format),
            ctypes.byref(nitems), ctypes.byref(after), ctypes.byref(prop))
        pid = None
        if status == 0 and prop.value:
            if nitems.value == 1 and actual_format.value == 32:
                pid = ctypes.c_ulong.from_address(prop.value).value
            self.x11.XFree(prop)
        return pid

    def viewable_size(self, window):
        attrs = XWindowAttributes()
        if not self.x11.XGetWindowAttributes(self.dpy, window, ctypes.byref(attrs)):
            return None
        if attrs.map_state != IS_VIEWABLE or attrs.width < 2 or attrs.height < 2:
            return None
        return attrs.width, attrs.height

    def grab(self, window):
        """The window's pixels as (width, bytes per line, bytes), or None."""
        size = self.viewable_size(window)
        if size is None:
            return None
        image = self.x11.XGetImage(self.dpy, window, 0, 0, size[0], size[1], ALL_PLANES, Z_PIXMAP)
        if not image:
            return None
        try:
            img = image.contents
            if img.bits_per_pixel != 32:
                raise RuntimeError("expected a 32-bit visual (run Xvfb at depth 24)")
            data = ctypes.string_at(img.data, img.bytes_per_line * img.height)
            return img.width, img.bytes_per_line, data
        finally:
            self.x11.XDestroyImage(image)

    def press_return(self):
        code = self.x11.XKeysymToKeycode(self.dpy, XK_RETURN)
        self.xtst.XTestFakeKeyEvent(self.dpy, code, 1, 0)
        self.xtst.XTestFakeKeyEvent(self.dpy, code, 0, 0)
        now = time.monotonic()
        self.x11.XFlush(self.dpy)
        return now


def one_colour(grab):
    """Whether every pixel of a grab has the same colour (padding ignored)."""
    width, stride, data = grab
    if stride != width * 4:
        data = b"".join(data[i:i + width * 4] for i in range(0, len(data), stride))
    for channel in range(3):
        plane = data[channel::4]
        if plane.count(plane[0:1]) != len(plane):
            return False
    return True


def rows_differing(a, b):
    """Fraction of pixel rows that differ between two grabs of one size."""
    if a[0] != b[0] or len(a[2]) != len(b[2]):
        return 1.0
    stride = a[1]
    rows = len(a[2]) // stride
    differ = sum(a[2][i:i + stride] != b[2][i:i + stride] for i in range(0, rows * stride, stride))
    return differ / rows


class Bench:
    def __init__(self, args):
        self.args = args
        self.builddir = os.path.abspath(args.builddir)
        self.app = os.path.join(self.builddir, "app", "vindplaats")
        self.editor = shutil.which("gnome-text-editor")
        self.store = os.path.abspath(args.store)
        with open(args.passphrase_file, encoding="utf-8") as f:
            self.passphrase = f.read().rstrip("\n")
        self.tmp = tempfile.mkdtemp(prefix="vp-bench-app-")
        self.children = []
        self.shots = set()

    # -- the shared X server and session bus ---------------------------------

    def start_server(self):
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-br",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=[write_fd], stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.tmp, "xvfb.log"), "w"))
        self.children.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display_name = f":{number}"
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.children.append(bus)
        self.bus_address = bus.stdout.readline().strip()
        self.x = Display(self.display_name)

    def stop_server(self):
        if getattr(self, "x", None):
            self.x.close()
        for child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(5)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def environment(self, home, marks=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_DATA_HOME": os.path.join(home, "data"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_RUNTIME_DIR": os.path.join(home, "runtime"),
            "DISPLAY": self.display_name,
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "GDK_BACKEND": "x11",
            "GSK_RENDERER": "cairo",
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": os.path.join(self.builddir, "app"),
            "NO_AT_BRIDGE": "1",
            "GTK_A11Y": "none",
        }
        for name in ("LC_ALL", "LANG", "LANGUAGE"):
            if name in os.environ:
                env[name] = os.environ[name]
        if not any(name in env for name in ("LC_ALL", "LANG")):
            env["LC_ALL"] = "C.UTF-8"
        for name in ("config", "data", "cache", "state", "runtime"):
            os.makedirs(os.path.join(home, name), mode=0o700)
        if marks:
            env["VP_BENCH_MARKS"] = marks
        return env

    # -- one start ------------------------------------------------------------

    def wait_window(self, proc, start, validate_grabs=None):
        """Waits for PROC's toplevel to be viewable with more than one colour;
        returns (window, seconds since START)."""
        candidates = set()
        deadline = start + self.args.timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before its window was drawn")
            for kind, window, now in self.x.events(0.05):
                if kind in ("map", "damage", "create"):
                    candidates.add(window)
                if kind == "destroy":
                    candidates.discard(window)
                    continue
                if kind == "create" or window not in candidates:
                    continue
                if self.x.pid_of(window) != proc.pid:
                    continue
                grab = self.x.grab(window)
                if grab is not None and not one_colour(grab):
                    return window, now - start
        raise RuntimeError(f"{proc.args[0]}: no window drawn within {self.args.timeout:.0f} s")

    def drain(self):
        for _ in self.x.events(0):
            pass

    def stop_watching_all(self):
        for window in list(self.x.damages):
            self.x.stop_watching(window)

    def screenshot(self, window, name):
        if name in self.shots:
            return
        self.shots.add(name)
        path = os.path.join(self.builddir, f"bench-app-{name}.png")
        subprocess.run(["import", "-display", self.display_name, "-window", hex(window), path],
                       check=False, stderr=subprocess.DEVNULL)

    def rss(self, pid):
        figures = {}
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    figures[key] = int(value.split()[0])  # kB
        return figures["VmRSS"], figures["VmHWM"]

    @staticmethod
    def cpu_seconds(pid):
        """User and system time of all of PID's threads so far."""
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_quiet(self, proc, drawn):
        """Waits SETTLE_S after DRAWN, then until PROC has been quiet (under
        QUIET_SHARE of a CPU) for QUIET_WINDOW_S: its work after the frame,
        such as reports built in a worker, is done. Returns the time the
        quiet second began, or None when it never came."""
        time.sleep(max(0.0, drawn + SETTLE_S - time.monotonic()))
        samples = [(time.monotonic(), self.cpu_seconds(proc.pid))]
        deadline = time.monotonic() + QUIET_TIMEOUT_S
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
            samples.append((time.monotonic(), self.cpu_seconds(proc.pid)))
            while len(samples) > 2 and samples[-1][0] - samples[1][0] >= QUIET_WINDOW_S:
                samples.pop(0)
            (t0, c0), (t1, c1) = samples[0], samples[-1]
            if t1 - t0 >= QUIET_WINDOW_S and c1 - c0 < QUIET_SHARE * (t1 - t0):
                return t0
        return None

    def finish(self, proc, quit_keys):
        if proc.poll() is None and quit_keys:
            subprocess.run(["xdotool", "key", "--clearmodifiers", quit_keys],
                           env={"DISPLAY": self.display_name, "PATH": os.environ.get("PATH", "")},
                           check=False)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.drain()
        self.stop_watching_all()

    def run_editor(self):
        home = tempfile.mkdtemp(dir=self.tmp)
        env = self.environment(home)
        self.drain()
        start = time.monotonic()
        proc = subprocess.Popen([self.editor, "--standalone"], env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(home, "stderr"), "w"))
        try:
            window, shown = self.wait_window(proc, start)
            self.stop_watching_all()
            quiet = self.wait_quiet(proc, start + shown)
            rss, hwm = self.rss(proc.pid)
            self.screenshot(window, "gnome-text-editor")
        finally:
            self.finish(proc, None)
            shutil.rmtree(home, ignore_errors=True)
        return {"window_s": shown, "quiet_s": quiet - start if quiet else None, "rss_kib": rss, "hwm_kib": hwm}

    def read_marks(self, path):
        marks = {}
        try:
            with open(path, encoding="ascii") as f:
                for line in f:
                    name, _, usec = line.strip().partition(" ")
                    marks.setdefault(name, int(usec) / 1e6)
        except FileNotFoundError:
            pass
        return marks

    def wait_marks(self, proc, path, names, grabs=None, window=None):
        deadline = time.monotonic() + self.args.timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"vindplaats exited with {proc.returncode}")
            marks = self.read_marks(path)
            if all(name in marks for name in names):
                return marks
            for kind, win, now in self.x.events(0.005):
                if grabs is not None and kind == "damage" and win == window:
                    grab = self.x.grab(window)
                    if grab is not None:
                        grabs.append((now, grab))
        raise RuntimeError("vindplaats: no first page within "
                           f"{self.args.timeout:.0f} s (wrong passphrase, or no VP_BENCH_MARKS support?)")

    def run_app(self, validate=False):
        home = tempfile.mkdtemp(dir=self.tmp)
        marks_path = os.path.join(home, "marks")
        env = self.environment(home, marks_path)
        self.drain()
        start = time.monotonic()
        proc = subprocess.Popen([self.app, "--store-dir", self.store], env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(home, "stderr"), "w"))
        try:
            window, shown = self.wait_window(proc, start)
            if not validate:
                self.stop_watching_all()
            marks = self.wait_marks(proc, marks_path, ["window"])
            locked_quiet = self.wait_quiet(proc, start + shown)
            locked_rss, _ = self.rss(proc.pid)
            self.screenshot(window, "vindplaats-unlock")
            xenv = {"DISPLAY": self.display_name, "PATH": os.environ.get("PATH", "")}
            subprocess.run(["xdotool", "windowfocus", "--sync", str(window)], env=xenv, check=False, timeout=10)
            subprocess.run(["xdotool", "type", "--delay", "5", "--file", "-"], env=xenv,
                           input=self.passphrase.encode(), check=True)
            time.sleep(0.2)
            grabs = [] if validate else None
            if validate:
                self.drain()
                grabs.append((time.monotonic(), self.x.grab(window)))
            enter = self.x.press_return()
            marks = self.wait_marks(proc, marks_path, ["main", "main-shown"], grabs, window)
            quiet = self.wait_quiet(proc, marks["main-shown"])
            rss, hwm = self.rss(proc.pid)
            self.screenshot(window, "vindplaats-page")
            result = {
                "window_s": shown,
                "window_mark_s": marks["window"] - start,
                "enter_first_frame_s": marks["main"] - enter,
                "enter_shown_s": marks["main-shown"] - enter,
                "enter_quiet_s": quiet - enter if quiet else None,
                "quiet_s": locked_quiet - start if locked_quiet else None,
                "rss_locked_kib": locked_rss,
                "rss_kib": rss,
                "hwm_kib": hwm,
            }
            if validate:
                result["screen"] = self.screen_times(grabs, self.x.grab(window), enter)
        finally:
            self.finish(proc, "ctrl+q")
            with open(os.path.join(home, "stderr"), encoding="utf-8", errors="replace") as f:
                self.app_log = f.read()
            if self.args.app_log:
                with open(self.args.app_log, "a", encoding="utf-8") as f:
                    f.write(self.app_log)
            shutil.rmtree(home, ignore_errors=True)
        return result

    @staticmethod
    def screen_times(grabs, final, enter):
        """From grabs taken on every damage event after Enter: when the window
        first changed beyond the spinner (a third of its rows), and when it
        first looked like the settled page (under 5% of rows differing: the
        text cursor blinks)."""
        unlock = grabs[0][1]
        first = shown = None
        for now, grab in grabs[1:]:
            if first is None and rows_differing(grab, unlock) > 0.33:
                first = now - enter
            if shown is None and rows_differing(grab, final) < 0.05:
                shown = now - enter
                break
        return {"first_change_s": first, "page_shown_s": shown, "grabs": len(grabs)}


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt_time(s):
    if s is None:
        return "—"
    return f"{s['median'] * 1000:.0f} ms ({s['min'] * 1000:.0f}–{s['max'] * 1000:.0f})"


def fmt_mem(s):
    if s is None:
        return "—"
    return f"{s['median'] / 1024:.1f} MiB ({s['min'] / 1024:.1f}–{s['max'] / 1024:.1f})"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}"


def ratio(a, b):
    if a is None or b is None or b["median"] == 0:
        return None
    return a["median"] / b["median"]


def store_size(path):
    total = 0
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isfile(full):
            total += os.path.getsize(full)
    return total


def report(figures, out):
    app, ed = figures["vindplaats"], figures["gnome-text-editor"]
    r = figures["ratios"]
    goals = figures["goals"]

    def ratio_cell(value, goal):
        if value is None:
            return "—"
        return f"{value:.2f} (goal ≤ {goal}: {'met' if value <= goal else 'missed'})"

    print(f"App start-up beside gnome-text-editor: Xvfb {SCREEN}, GSK_RENDERER=cairo, "
          f"{figures['runs']} runs each, alternating, medians (min–max); "
          f"store {figures['store_mib']:.0f} MiB\n", file=out)
    print("| figure | Vindplaats | gnome-text-editor | ratio |", file=out)
    print("| --- | --- | --- | --- |", file=out)
    print(f"| start → window drawn (screen) | {fmt_time(app['window_s'])} | {fmt_time(ed['window_s'])} "
          f"| {ratio_cell(r['window'], goals['window'])} |", file=out)
    print(f"| start → window drawn (app's own mark) | {fmt_time(app['window_mark_s'])} | — | — |", file=out)
    print(f"| Enter → first page frame | {fmt_time(app['enter_first_frame_s'])} | — | — |", file=out)
    print(f"| Enter → page shown (cross-fade over) | {fmt_time(app['enter_shown_s'])} | — | — |", file=out)
    print(f"| Enter → quiet (unlock work done, reports queued) | {fmt_time(app['enter_quiet_s'])} | — | — |",
          file=out)
    print(f"| RSS when quiet after start (Vindplaats locked) | {fmt_mem(app['rss_locked_kib'])} "
          f"| {fmt_mem(ed['rss_kib'])} | {fmt_ratio(r['rss_locked'])} |", file=out)
    print(f"| RSS when quiet after unlock | {fmt_mem(app['rss_kib'])} | {fmt_mem(ed['rss_kib'])} "
          f"| {ratio_cell(r['rss'], goals['rss'])} |", file=out)
    print(f"| peak RSS (VmHWM) | {fmt_mem(app['hwm_kib'])} | {fmt_mem(ed['hwm_kib'])} | {fmt_ratio(r['hwm'])} |",
          file=out)
    v = figures.get("validation")
    if v:
        s = v["screen"]

        def ms(x):
            return "—" if x is None else f"{x * 1000:.0f} ms"
        print(f"\nValidation run (window grabbed on every damage event, {s['grabs']} grabs): "
              f"Enter → first page frame: mark {ms(v['enter_first_frame_s'])}, screen {ms(s['first_change_s'])}; "
              f"Enter → page shown: mark {ms(v['enter_shown_s'])}, screen {ms(s['page_shown_s'])}.", file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builddir", required=True)
    parser.add_argument("--store", required=True, help="folder of an existing store")
    parser.add_argument("--passphrase-file", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="uncounted starts of each program first")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S,
                        help=f"seconds to wait for a window or page (default {TIMEOUT_S:.0f})")
    parser.add_argument("--validate", action="store_true",
                        help="one more Vindplaats run that finds the unlock times on screen too")
    parser.add_argument("--app-log", metavar="FILE", help="append Vindplaats' standard error to FILE")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="print the figures as JSON (or write them to FILE besides the table)")
    args = parser.parse_args()

    bench = Bench(args)
    if not os.access(bench.app, os.X_OK):
        sys.exit(f"bench-app: {bench.app} is not built")
    if not os.path.exists(os.path.join(bench.builddir, "app", "gschemas.compiled")):
        sys.exit(f"bench-app: {bench.builddir}/app/gschemas.compiled is not built")
    if bench.editor is None:
        sys.exit("bench-app: gnome-text-editor is not installed (build-aux/bench installs it)")
    for tool in ("Xvfb", "xdotool", "import", "dbus-daemon"):
        if shutil.which(tool) is None:
            sys.exit(f"bench-app: {tool} is missing (build-aux/setup installs it)")

    results = {"vindplaats": [], "gnome-text-editor": []}
    validation = None
    try:
        bench.start_server()
        for _ in range(args.warmup):
            bench.run_app()
            bench.run_editor()
        for i in range(args.runs):
            order = [("vindplaats", bench.run_app), ("gnome-text-editor", bench.run_editor)]
            if i % 2:
                order.reverse()
            for name, run in order:
                results[name].append(run())
                print(f"bench-app: {name} run {i + 1}: "
                      + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                  for k, v in results[name][-1].items()), file=sys.stderr)
        if args.validate:
            validation = bench.run_app(validate=True)
    except RuntimeError as error:
        log = getattr(bench, "app_log", "")
        sys.exit(f"bench-app: {error}" + (f"\nvindplaats said:\n{log}" if log else ""))
    finally:
        bench.stop_server()

    def column(name, key):
        return summary([r.get(key) for r in results[name]])

    figures = {
        "runs": args.runs,
        "screen": SCREEN,
        "renderer": "cairo",
        "store_mib": store_size(bench.store) / 2**20,
        "vindplaats": {k: column("vindplaats", k) for k in
                       ("window_s", "window_mark_s", "quiet_s", "enter_first_frame_s", "enter_shown_s",
                        "enter_quiet_s", "rss_locked_kib", "rss_kib", "hwm_kib")},
        "gnome-text-editor": {k: column("gnome-text-editor", k) for k in ("window_s", "quiet_s", "rss_kib", "hwm_kib")},
        "raw": results,
        "goals": {"window": 1.0, "rss": 1.2},
    }
    figures["ratios"] = {
        "window": ratio(figures["vindplaats"]["window_s"], figures["gnome-text-editor"]["window_s"]),
        "rss": ratio(figures["vindplaats"]["rss_kib"], figures["gnome-text-editor"]["rss_kib"]),
        "rss_locked": ratio(figures["vindplaats"]["rss_locked_kib"], figures["gnome-text-editor"]["rss_kib"]),
        "hwm": ratio(figures["vindplaats"]["hwm_kib"], figures["gnome-text-editor"]["hwm_kib"]),
    }
    if validation:
        figures["validation"] = validation
    if args.json == "-":
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    report(figures, sys.stdout)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
