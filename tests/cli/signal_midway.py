#!/usr/bin/python3
"""signal_midway.py SIGNAL TOTAL STDOUT COMMAND...: run a scan whose standard error is a
pseudo-terminal (so it draws its progress line), send SIGNAL once the line says that at least one
and at most three quarters of TOTAL files are done, and exit with the scan's exit code (128+n when
the signal ended it). Standard output goes to the file STDOUT. The signal is tied to the scan's own
progress, not to a delay or a sampled /proc entry, so it arrives mid-scan whatever the machine's
speed or load; if the scan ends before the line ever shows progress, exit 99 with a message.
"""
import os, pty, re, select, signal, subprocess, sys, time

sig = getattr(signal, "SIG" + sys.argv[1])
total, out_path, cmd = int(sys.argv[2]), sys.argv[3], sys.argv[4:]
master, slave = pty.openpty()
with open(out_path, "wb") as out:
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
os.close(slave)
progress = re.compile(rb"(\d+)/%d files" % total)
seen, sent, deadline = b"", False, time.monotonic() + 300
while True:
    ready, _, _ = select.select([master], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the scan closed the terminal (it ended)
            chunk = b""
        if not chunk and proc.poll() is not None:
            break
        seen = (seen + chunk)[-4096:]
        if not sent:
            done = [int(n) for n in progress.findall(seen)]
            if any(1 <= n <= total * 3 // 4 for n in done):
                proc.send_signal(sig)
                sent = True
    elif proc.poll() is not None:
        break
    if time.monotonic() > deadline:
        proc.kill()
        sys.exit("signal_midway: the scan did not end within 300 s")
rc = proc.wait()
if not sent:
    sys.stderr.write("signal_midway: the scan ended (exit %d) before its progress line showed a file done; "
                     "last terminal output: %r\n" % (rc, seen[-300:]))
    sys.exit(99)
rc = 128 - rc if rc < 0 else rc
if rc != 128 + sig:
    sys.stderr.write("signal_midway: exit %d after SIG%s; last terminal output: %r\n" % (rc, sys.argv[1], seen[-300:]))
sys.exit(rc)
