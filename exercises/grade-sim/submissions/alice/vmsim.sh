#!/bin/sh
# ./vmsim -n FRAMES -a ALGORITHM TRACE
exec awk -v nf="$2" -v alg="$4" -f ../../sim.awk "$5"
