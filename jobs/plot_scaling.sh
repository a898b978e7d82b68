#!/usr/bin/env bash
# Renders speedup and efficiency vs ranks from a scaling.csv (jobs/scaling.sh) into one PNG with two panels, and
# with the levels.csv scaling.sh writes beside it, two more: the service of each level of the hand-out tree.
#
#   jobs/plot_scaling.sh CSV [PNG] [--title TEXT]
#
# PNG defaults to scaling.png beside CSV. One line per mode (strong, weak) and launcher kind; when a mode was
# swept several times into the same CSV, its last sweep is drawn (a sweep = a run of increasing rank counts).
# Simulated points (launcher smpirun, jobs/scaling.sh --simulate) are drawn dashed with open markers and
# labelled "simulated"; the title says so too. Dashed grey: ideal (speedup = ranks / smallest ranks,
# efficiency = 1). Beyond 16x the smallest rank count both axes of the speedup panel are logarithmic.
# When the CSV holds sweeps of several --schedule policies (its schedule column), one line per policy too,
# labelled with it (e.g. strong-static). The default title names the host from meta.txt beside the CSV. Accepts
# the older 10- and 12-column CSVs (no run_s, launcher; no schedule). Installs gnuplot-nox with tests/lib/install-deps.sh when gnuplot is missing.
# levels.csv beside CSV (jobs/scaling.sh writes it; without it, or with only its header, the PNG has the two
# panels above): a 2x2 PNG whose third panel, "service per level", draws the share of run_s spent serving
# against ranks: rank 0 (rank0_service_s / run_s, filled circles, labelled) and the node leaders, the busiest
# (leader_service_max_s / run_s, triangles, labelled) and their mean (squares, thin), leader points only where
# there were leaders; the fourth, "messages: units handed out per server": rank 0's units_served (at rank
# counts where it served any rank) and the leaders' mean (squares), labelled, on a logarithmic axis when they
# span more than 30x. Same modes, colours, last sweeps and simulated styles as the first two panels.
set -euo pipefail

die() { echo "plot_scaling.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

csv=
png=
title=
while [ $# -gt 0 ]; do
  case $1 in
    --title) [ $# -ge 2 ] || die "--title needs a value"; title=$2; shift 2 ;;
    -h | --help) sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2 ;;
    *) if [ -z "$csv" ]; then csv=$1; elif [ -z "$png" ]; then png=$1; else die "too many arguments"; fi; shift ;;
  esac
done
[ -n "$csv" ] || die "usage: jobs/plot_scaling.sh CSV [PNG] [--title TEXT]"
[ -s "$csv" ] || die "no data in $csv"
[ -n "$png" ] || png=$(dirname "$csv")/scaling.png
header=$(head -n 1 "$csv")
case $header in
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min) ;;
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher) ;;
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule) ;;
  *) die "$csv does not have the columns jobs/scaling.sh writes" ;;
esac

# The per-level service beside the CSV (jobs/scaling.sh's levels.csv), when it holds rows.
levels=$(dirname "$csv")/levels.csv
levels_header=mode,ranks,leaders,run_s,rank0_service_s,rank0_units_served,rank0_kids,leader_service_mean_s
levels_header+=,leader_service_max_s,leader_units_mean,leader_units_max,leader_kids_mean,launcher,schedule
has_levels=0
if [ -s "$levels" ] && [ "$(wc -l <"$levels")" -gt 1 ]; then
  if [ "$(head -n 1 "$levels")" = "$levels_header" ]; then
    has_levels=1
  else
    echo "plot_scaling.sh: $levels does not have the columns jobs/scaling.sh writes; plotting without it" >&2
  fi
fi

if ! command -v gnuplot >/dev/null; then
  "$here/../tests/lib/install-deps.sh" gnuplot-nox || die "gnuplot is missing and could not be installed"
fi

if [ -z "$title" ]; then
  meta=$(dirname "$csv")/meta.txt
  host=
  [ -f "$meta" ] && host=$(grep '^host: ' "$meta" | tail -n 1 | sed 's/^host: //')
  title="mpifactor scaling${host:+ on $host}"
  kinds=$(awk -F, 'NR > 1 { k[$12 == "smpirun" ? "sim" : "real"] = 1 } END { print (("sim" in k) ? ("real" in k) ? "both" : "sim" : "real") }' "$csv")
  case $kinds in
    sim) title="mpifactor scaling, SIMULATED (SimGrid SMPI, calibrated${host:+ on $host})" ;;
    both) title="mpifactor scaling, real and SIMULATED (SimGrid SMPI)${host:+, $host}" ;;
  esac
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# split_sweeps FILE EXT LAUNCHER_COL SCHEDULE_COL: one file $tmp/MODE.EXT per mode of FILE (with its policy where
# the CSV holds several, and "-simulated" for smpirun points) holding its last sweep, the modes in order in
# $tmp/modes-EXT (not matched by *.EXT). The first pass over the CSV finds the policies, so that scaling.csv
# and levels.csv (whose launcher and schedule columns lie one further right) name their modes alike.
split_sweeps() {
  awk -F, -v dir="$tmp" -v ext="$2" -v lc="$3" -v sc="$4" '
    FNR == NR { if (FNR > 1 && NF >= 13 && !($13 in pol)) { pol[$13] = 1; npol++ }; next }
    FNR == 1 { next }
    {
      m = $1 (npol > 1 ? "-" $sc : "") ($lc == "smpirun" ? "-simulated" : "")
      if ((m in last) && $2 + 0 <= last[m]) { n[m] = 0 }
      last[m] = $2 + 0
      rows[m, ++n[m]] = $0
      if (!(m in order)) { order[m] = ++nm; names[nm] = m }
    }
    END {
      for (i = 1; i <= nm; i++) {
        m = names[i]; f = dir "/" m "." ext
        for (j = 1; j <= n[m]; j++) print rows[m, j] > f
        close(f)
        print m > (dir "/modes-" ext)
      }
    }' "$csv" "$1"
}
split_sweeps "$csv" dat 12 13
[ -s "$tmp/modes-dat" ] || die "no data rows in $csv"
[ $has_levels -eq 0 ] || split_sweeps "$levels" lev 13 14

read -r rmin rmax < <(cat "$tmp"/*.dat | awk -F, 'NR == 1 { a = $2; b = $2 } { if ($2 < a) a = $2; if ($2 > b) b = $2 } END { print a, b }')
xtics=$(cat "$tmp"/*.dat | cut -d, -f2 | sort -n -u | paste -sd, -)
ymax=$(awk -F, -v r="$rmax" -v b="$rmin" 'BEGIN { m = r / b } { if ($7 > m) m = $7 } END { print m * 1.15 }' "$tmp"/*.dat)

speedup_plot="x / $rmin with lines dt 2 lc rgb '#555555' title 'ideal'"
eff_plot="1 with lines dt 2 lc rgb '#555555' title 'ideal'"
share_plot=
units_plot=
colors=('#1f77b4' '#d62728' '#2ca02c' '#9467bd' '#ff7f0e' '#8c564b')
offsets=('0,-1.2' '0,1.2')
i=0
while read -r m; do
  c=${colors[$((i % 6))]}
  o=${offsets[$((i % 2))]}
  style="lw 2 pt 7"
  label=$m
  case $m in *-simulated) style="lw 2 dt 3 pt 6 ps 1.3"; label="${m%-simulated} (simulated)" ;; esac
  speedup_plot+=", '$tmp/$m.dat' using 2:7 with linespoints $style lc rgb '$c' title '$label'"
  speedup_plot+=", '' using 2:7:(sprintf('%.2f', \$7)) with labels offset $o tc rgb '$c' notitle"
  eff_plot+=", '$tmp/$m.dat' using 2:8 with linespoints $style lc rgb '$c' title '$label'"
  eff_plot+=", '' using 2:8:(sprintf('%.2f', \$8)) with labels offset $o tc rgb '$c' notitle"
  if [ -s "$tmp/$m.lev" ]; then
    # rank 0: filled circles (open when simulated); leaders: triangles (busiest), small squares (mean)
    case $m in
      *-simulated) lt0="lw 2 dt 3 pt 6 ps 1.3" ltmax="lw 2 dt 3 pt 8 ps 1.3" ltmean="lw 1 dt 3 pt 4 ps 0.9" ;;
      *) lt0="lw 2 pt 7" ltmax="lw 2 pt 9" ltmean="lw 1 pt 5 ps 0.8" ;;
    esac
    # One small file "x,y[,label]" per line and per set of labels, only the points that exist (leaders only
    # where there were some; rank 0's units where it served any rank): gnuplot 5.4.4 crashes on a label plot
    # whose every point is undefined (1/0). Labels: rank 0's above its point where its value is the higher,
    # else below, the leaders' the other way round, so the two do not print over each other; the busiest
    # leader's share always above (the leaders' mean lies below it).
    p=$tmp/$m
    awk -F, -v p="$p" '
      {
        s0 = $4 > 0 ? $5 / $4 : 0; smax = $4 > 0 ? $9 / $4 : 0
        print $2 "," s0 > (p ".s0")
        print $2 "," s0 "," sprintf("%.2f", s0) > (p (($3 > 0 && smax > s0) ? ".s0dn" : ".s0up"))
        if ($7 > 0) {
          print $2 "," $6 > (p ".u0")
          print $2 "," $6 "," sprintf("%d", $6) > (p (($3 > 0 && $10 > $6) ? ".u0dn" : ".u0up"))
        }
        if ($3 > 0) {
          print $2 "," smax > (p ".smax")
          print $2 "," smax "," sprintf("%.2f", smax) > (p ".smaxup")
          print $2 "," ($4 > 0 ? $8 / $4 : 0) > (p ".smean")
          print $2 "," $10 > (p ".ul")
          print $2 "," $10 "," sprintf("%.1f", $10) > (p (($7 > 0 && $6 > $10) ? ".uldn" : ".ulup"))
        }
      }' "$p.lev"
    share_plot+="${share_plot:+, }'$p.s0' using 1:2 with linespoints $lt0 lc rgb '$c' title '$label: rank 0'"
    [ ! -s "$p.smax" ] || share_plot+=", '$p.smax' using 1:2 with linespoints $ltmax lc rgb '$c' title '$label: busiest leader'"
    [ ! -s "$p.smean" ] || share_plot+=", '$p.smean' using 1:2 with linespoints $ltmean lc rgb '$c' title '$label: leader mean'"
    [ ! -s "$p.u0" ] || units_plot+="${units_plot:+, }'$p.u0' using 1:2 with linespoints $lt0 lc rgb '$c' title '$label: rank 0'"
    [ ! -s "$p.ul" ] || units_plot+="${units_plot:+, }'$p.ul' using 1:2 with linespoints ${ltmean/lw 1/lw 2} lc rgb '$c' title '$label: leader mean'"
    for f in s0up s0dn smaxup u0up u0dn ulup uldn; do
      [ -s "$p.$f" ] || continue
      off=0,1.2
      case $f in *dn) off=0,-1.2 ;; esac
      lab="'$p.$f' using 1:2:3 with labels offset $off tc rgb '$c' notitle"
      case $f in s*) share_plot+=", $lab" ;; *) units_plot+="${units_plot:+, }$lab" ;; esac
    done
  fi
  i=$((i + 1))
done <"$tmp/modes-dat"

# Wide sweeps (simulated clusters) read better on logarithmic axes.
logx=0
[ "$rmax" -le $((16 * rmin)) ] || logx=1
if [ $logx -eq 1 ]; then
  xpad=$(awk -v a="$rmin" -v b="$rmax" 'BEGIN { print a / 1.3, b * 1.3 }')
  xaxis="set logscale x 2"
  yrange_speedup="set logscale y 2; set yrange [0.5:$ymax]"
  yrange_eff="unset logscale y; set yrange [0:1.3]"
else
  xpad=$(awk -v a="$rmin" -v b="$rmax" 'BEGIN { p = (b - a) * 0.08; if (p < 0.3) p = 0.3; print a - p, b + p }')
  xaxis="unset logscale x"
  yrange_speedup="set yrange [0:$ymax]"
  yrange_eff="set yrange [0:1.3]"
fi
size=1200,520
layout=1,2
levels_panels=
if [ -n "$share_plot" ]; then
  size=1200,1000
  layout=2,2
  # units: logarithmic when they span more than 30x (--schedule map hands out one unit per number)
  read -r umin umax < <(cat "$tmp"/*.lev | awk -F, '
    { if ($7 > 0 && $6 > 0) v[++n] = $6; if ($3 > 0 && $10 > 0) v[++n] = $10 }
    END { a = 0; b = 0; for (i = 1; i <= n; i++) { if (a == 0 || v[i] < a) a = v[i]; if (v[i] > b) b = v[i] }; print a, b }')
  if awk -v a="$umin" -v b="$umax" 'BEGIN { exit !(a > 0 && b > 30 * a) }'; then
    yrange_units="set logscale y 10; set yrange [$(awk -v a="$umin" 'BEGIN { print a / 2 }'):$(awk -v b="$umax" 'BEGIN { print b * 3 }')]"
  else
    yrange_units="unset logscale y; set yrange [0:$(awk -v b="$umax" 'BEGIN { print (b > 0 ? b : 1) * 1.3 }')]"
  fi
  [ -n "$units_plot" ] || units_plot="NaN notitle" # no rank served another (1 rank only)
  levels_panels="set title \"service per level: share of run_s spent serving its kids\" noenhanced
set ylabel \"service share (service_s / run_s)\" noenhanced
unset logscale y
set yrange [0:1.3]
set key top left
plot $share_plot
set title \"messages: units handed out per server\" noenhanced
set ylabel \"units_served (count)\" noenhanced
$yrange_units
set key top left
plot $units_plot"
fi
gnuplot <<EOF
set terminal pngcairo size $size font "sans,11"
set output "$png"
set datafile separator ","
set multiplot layout $layout title "${title//\"/\'}" font "sans,13"
set grid
set xlabel "ranks (MPI processes)"
$xaxis
set xrange [${xpad% *}:${xpad#* }]
set xtics ($xtics)
set key top left
set title "speedup vs ranks (relative to $rmin $([ "$rmin" -eq 1 ] && echo rank || echo ranks))"
set ylabel "speedup (x)"
$yrange_speedup
plot $speedup_plot
set title "parallel efficiency vs ranks"
set ylabel "efficiency (speedup x $rmin / ranks)"
$yrange_eff
set key bottom left
plot $eff_plot
$levels_panels
unset multiplot
EOF
echo "plot_scaling.sh: wrote $png" >&2
