#!/bin/bash
# usage: threads.sh PID SECONDS -> per-thread-name cpu ticks and context switches over the window
pid=$1; secs=$2
snap() { for t in /proc/$pid/task/*; do n=$(cat $t/comm 2>/dev/null | tr ' ' '_'); s=($(cut -d' ' -f14,15 $t/stat 2>/dev/null)); v=$(awk '/^voluntary_ctxt/{print $2}' $t/status 2>/dev/null); nv=$(awk '/^nonvoluntary_ctxt/{print $2}' $t/status 2>/dev/null); echo "$(basename $t) $n ${s[0]} ${s[1]} $v $nv"; done; }
snap > /tmp/r13/snap0.$pid; sleep $secs; snap > /tmp/r13/snap1.$pid
join <(sort /tmp/r13/snap0.$pid) <(sort /tmp/r13/snap1.$pid) | awk -v secs=$secs '{name=$2; sub(/-[0-9]+$/,"",name); sub(/#[0-9]+$/,"",name); u[name]+=$8-$3; s[name]+=$9-$4; v[name]+=$10-$5; nv[name]+=$11-$6} END {for (k in u) if (u[k]+s[k]+v[k] > 0) printf "%-28s user %5.2f%% sys %5.2f%% cs/s %7.1f inv/s %6.1f\n", k, u[k]/secs, s[k]/secs, v[k]/secs, nv[k]/secs}' | sort -k3 -nr
