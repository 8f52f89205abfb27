#!/usr/bin/env python3
"""diff-edit.py — the crafted second version of the bundled plan for the diff tests.

Usage: diff-edit.py data/sendai-2024-draft.txt OUT

Five precise changes, the same as crafted_v2() in tests/unit/test_diff.c; `sasae diff` must find
each exactly once, with the right kind, and nothing else:

  rename   地域福祉セミナー → 地域福祉セミナー（入門編）  (the row and its 【再掲】 copy)
  move     障害者週間に合わせた「心のバリアフリー」理念の普及促進: part 1 (1) No.10 → part 1 (4) No.6
  summary  障害者差別解消の推進: 「個別相談への対応に、より一層着実に取り組む。」
  add      地域共生カフェへの支援, part 3 (2) No.16
  remove   人権教育研修会 (part 1 (1) No.15)
"""
import sys


def main(src, dst):
    lines = open(src, encoding='utf-8').read().split('\n')
    moved = next(l for l in lines if l.startswith('10\t障害者週間に合わせた'))
    out = []
    for line in lines:
        if line == moved or line.startswith('15\t人権教育研修会\t'):
            continue
        line = line.replace('\t地域福祉セミナー\t', '\t地域福祉セミナー（入門編）\t')
        line = line.replace('地域福祉セミナー【再掲】', '地域福祉セミナー（入門編）【再掲】')
        line = line.replace('個別相談への対応に着実に取り組む。', '個別相談への対応に、より一層着実に取り組む。')
        out.append(line)
        if line.startswith('5\tバリアフリー法に基づく'):
            out.append('6\t' + moved.split('\t', 1)[1])
        if line.startswith('15\t太白地域丸ごと相談事業'):
            out.append('16\t地域共生カフェへの支援\t住民や専門職が気軽に集い語り合える地域共生カフェの立ち上げと運営を'
                       '支援し、身近な地域での孤立の防止を図る。\t健康福祉局')
    open(dst, 'w', encoding='utf-8').write('\n'.join(out))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: diff-edit.py PLAN OUT')
    main(sys.argv[1], sys.argv[2])
