#!/usr/bin/env python3
"""text.py -- Unicode helpers of tools/make_hostile_samples.sh (standard library only).

  text.py wide TEXT
      TEXT as a windres wide-string literal: L"..." with printable ASCII kept and every other
      UTF-16 code unit (surrogates included) as \\xHHHH, so the .rc file itself stays ASCII.
  text.py variants < TABLE
      TABLE: lines "id<TAB>text with Python escapes". Writes "id<TAB>escaped<TAB>text<TAB>arg<TAB>wide"
      per line: the text decoded; arg = the text with every character outside printable ASCII, and
      the space and backslash, as \\uXXXX / \\UXXXXXXXX (one whitespace-free manifest field, decoded
      by the checks with Python's unicode_escape); wide = its windres literal.
"""
import sys


def wide(text):
    units = text.encode("utf-16-le")
    out = []
    for i in range(0, len(units), 2):
        u = int.from_bytes(units[i:i + 2], "little")
        out.append(chr(u) if 0x20 <= u < 0x7F and chr(u) not in '"\\' else "\\x%04x" % u)
    return 'L"' + "".join(out) + '"'


def arg(text):
    return "".join(c if 0x21 <= ord(c) < 0x7F and c != "\\" else
                   ("\\u%04x" % ord(c) if ord(c) < 0x10000 else "\\U%08x" % ord(c)) for c in text)


def main(argv):
    if len(argv) == 3 and argv[1] == "wide":
        print(wide(argv[2]))
    elif len(argv) == 2 and argv[1] == "variants":
        for line in sys.stdin.read().splitlines():
            ident, escaped = line.split("\t")
            text = escaped.encode().decode("unicode_escape")
            print("\t".join((ident, escaped, text, arg(text), wide(text))))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
