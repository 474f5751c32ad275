#!/bin/sh
# ./vmsim -n FRAMES -a ALGORITHM TRACE (always FIFO: a bug)
exec awk -v nf="$2" -v alg=fifo -f ../../sim.awk "$5"
