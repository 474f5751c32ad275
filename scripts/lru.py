#!/usr/bin/env python3
"""A plain LRU over a page-number stream (one page per line), for `make bench` only:
prints references and faults. Usage: lru.py FRAMES FILE"""
import sys
from collections import OrderedDict

def main():
    frames = int(sys.argv[1])
    resident = OrderedDict()
    refs = faults = 0
    with open(sys.argv[2]) as f:
        for line in f:
            page = int(line)
            refs += 1
            if page in resident:
                resident.move_to_end(page)
                continue
            faults += 1
            if len(resident) >= frames:
                resident.popitem(last=False)
            resident[page] = True
    print(refs, faults)

main()
