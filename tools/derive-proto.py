#!/usr/bin/env python3
"""Derive the copy of protobufs/ that a C generator is run on.

usage: derive-proto.py MODE SRC_DIR OUT_DIR      (MODE: protobuf-c | nanopb)

Both modes drop the logging annotations (`import "logger/options.proto"` and
every `(logger.*)` field option).  They only matter to LiveKit's Go logger,
change nothing on the wire, and would pull google/protobuf/descriptor.proto
into the generated C code.

Mode nanopb renames a field whose name is a C keyword (LiveKit has
`register` in WorkerMessage and ServerMessage) by appending `_`, as protoc-c
does on its own; nanopb 0.4.7 would emit it unchanged and the C would not
compile.  Field names are not on the wire, so nothing changes there.

Mode protobuf-c also rewrites each proto3 `optional T x = N;` into the
one-field oneof `oneof _x { T x = N; }`.  protoc-c 1.4.1 refuses proto3
`optional`, but this is exactly what protoc does with it internally: the wire
format is unchanged and presence is kept, as `x_case` in the C struct.

The .options files (nanopb) are copied unchanged.  Sub-folders (agent/, and
google/protobuf/ for options of the well-known types) keep their place;
logger/ is left out.  Output is deterministic.
"""
import os
import re
import shutil
import sys

LOGGER_IMPORT = re.compile(r'^\s*import\s+"logger/options\.proto";\s*\n', re.M)
# One `(logger.x) = value` item inside a field's [...] option list.
LOGGER_OPTION = re.compile(r'\(logger\.\w+\)\s*=\s*("(?:[^"\\]|\\.)*"|[\w.]+)')
OPTION_LIST = re.compile(r'\s*\[([^\[\]]*)\]', re.S)
OPTIONAL_FIELD = re.compile(
    r'^(?P<indent>[ \t]*)optional\s+(?P<type>[\w.]+)\s+(?P<name>\w+)\s*=\s*(?P<rest>[^;]*);',
    re.M)


C_KEYWORDS = ('auto break case char const continue default do double else enum '
              'extern float for goto if inline int long register restrict return '
              'short signed sizeof static struct switch typedef union unsigned '
              'void volatile while').split()
KEYWORD_FIELD = re.compile(r'(?<=\s)(' + '|'.join(C_KEYWORDS) + r')(?=\s*=\s*\d)')


def strip_logger(text):
    text = LOGGER_IMPORT.sub('', text)

    def clean(match):
        items = LOGGER_OPTION.sub('', match.group(1))
        items = [i.strip() for i in items.split(',') if i.strip()]
        return ' [' + ', '.join(items) + ']' if items else ''

    return OPTION_LIST.sub(clean, text)


def optional_to_oneof(text):
    def rewrite(m):
        ind = m.group('indent')
        return (f'{ind}oneof _{m.group("name")} {{ {m.group("type")} '
                f'{m.group("name")} = {m.group("rest").strip()}; }}')

    return OPTIONAL_FIELD.sub(rewrite, text)


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ('--help', '-h'):
        doc = __doc__.strip().splitlines()
        print('\n'.join([doc[2], '       derive-proto.py --help | -h      (print this text)', '',
                         doc[0], ''] + doc[4:]))
        return
    if len(sys.argv) != 4 or sys.argv[1] not in ('protobuf-c', 'nanopb'):
        sys.exit(__doc__.strip().splitlines()[2])
    mode, src, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    for name in sorted(files(src)):
        path = os.path.join(src, name)
        dest = os.path.join(out, name)
        if name.endswith('.proto'):
            with open(path, encoding='utf-8') as f:
                text = strip_logger(f.read())
            if mode == 'protobuf-c':
                text = optional_to_oneof(text)
            else:
                text = KEYWORD_FIELD.sub(r'\1_', text)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, 'w', encoding='utf-8') as f:
                f.write(text)
        elif name.endswith('.options'):
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(path, dest)


def files(src):
    """Paths under SRC relative to it, sub-folders included (agent/, and
    google/protobuf/ for the .options of the well-known types), except
    logger/, whose annotations the derived copy drops."""
    for base, dirs, names in os.walk(src):
        rel = os.path.relpath(base, src)
        if rel == 'logger' or rel.startswith('logger' + os.sep):
            continue
        for n in names:
            yield n if rel == '.' else os.path.join(rel, n)


if __name__ == '__main__':
    main()
