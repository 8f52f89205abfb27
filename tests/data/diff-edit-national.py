#!/usr/bin/env python3
"""diff-edit-national.py — a second version of the national-scale catalogue for measuring
`sasae diff` (docs/diff.md, "Performance").

Usage: diff-edit-national.py national.txt OUT

Deterministic edits spread over the document (i is the 0-based line number; only rows followed by
another row and without 【再掲】 are edited, so that no continuation line loses its row):

  i % 997 == 0   rename: 「（拡充）」 appended to the name
  i % 991 == 0   summary edited: 「する」 inserted before the first 「。」
  i % 983 == 0   row removed
  i % 977 == 0   row moved: held back and written before a later section heading
  i % 971 == 0   a new row added after it
"""
import re
import sys

ROW = re.compile(r'(\d+)\t([^\t]*)\t([^\t]*)(.*)')


def main(src, dst):
    lines = open(src, encoding='utf-8').read().split('\n')
    out, held = [], None
    for i, line in enumerate(lines):
        m = ROW.match(line)
        next_is_row = i + 1 < len(lines) and ROW.match(lines[i + 1])
        if m and next_is_row and '【再' not in line:
            if i % 997 == 0:
                line = f'{m[1]}\t{m[2]}（拡充）\t{m[3]}{m[4]}'
            elif i % 991 == 0:
                summary = m[3].replace('。', 'する。', 1) if '。' in m[3] else m[3] + 'など'
                line = f'{m[1]}\t{m[2]}\t{summary}{m[4]}'
            elif i % 983 == 0:
                continue
            elif i % 977 == 0 and held is None:
                held = line
                continue
        if held and line.startswith('(') and i % 5 == 0:
            out.append(held)
            held = None
        out.append(line)
        if m and i % 971 == 0 and next_is_row:
            out.append(f'{m[1]}\t新規事業{i}の実施\t{i}番目の新しい取り組みとして、地域の実情に応じた支援を行う。\t健康福祉局')
    open(dst, 'w', encoding='utf-8').write('\n'.join(out))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: diff-edit-national.py NATIONAL OUT')
    main(sys.argv[1], sys.argv[2])
